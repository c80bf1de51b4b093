// A tiny YAML reader for the subset OpenAPI event schemas use (block maps and sequences, quoted and plain
// scalars, `|` block scalars, multi-line plain scalars, comments) — enough to read MatchZy's
// event_schema.yml without a YAML dependency. Not a general YAML parser: flow collections other than
// `{ }` / `[ ]`, anchors and tags are not supported.
type Yaml = string | number | boolean | null | Yaml[] | { [k: string]: Yaml };

interface Line {
  indent: number;
  text: string;
}

const KEY = /^("(?:[^"\\]|\\.)*"|'[^']*'|[^\s"'#-][^:]*?|-[^\s][^:]*?):(?:\s+(.*))?$/;

function scalar(raw: string): Yaml {
  const s = raw.replace(/\s+#.*$/, '').trim();
  if (s.startsWith('"')) return JSON.parse(s) as string;
  if (s.startsWith("'")) return s.slice(1, -1).replace(/''/g, "'");
  if (s === '{ }' || s === '{}') return {};
  if (s === '[ ]' || s === '[]') return [];
  if (s === 'true' || s === 'false') return s === 'true';
  if (s === 'null' || s === '~' || s === '') return null;
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
  return s;
}

function unquoteKey(k: string): string {
  return k.startsWith('"') || k.startsWith("'") ? (scalar(k) as string) : k.trim();
}

export function parseYaml(text: string): Yaml {
  const lines: Line[] = [];
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*(#.*)?$/.test(raw) || raw.trim() === '---') {
      lines.push({ indent: -1, text: '' }); // blank: kept so block scalars keep their paragraphs
      continue;
    }
    lines.push({ indent: raw.length - raw.trimStart().length, text: raw.trim() });
  }
  let i = 0;
  const skipBlank = () => {
    while (i < lines.length && lines[i]!.indent < 0) i++;
  };

  function block(indent: number): Yaml {
    skipBlank();
    if (i >= lines.length) return null;
    return lines[i]!.text.startsWith('- ') || lines[i]!.text === '-' ? seq(lines[i]!.indent) : map(indent);
  }

  function seq(indent: number): Yaml[] {
    const out: Yaml[] = [];
    for (skipBlank(); i < lines.length && lines[i]!.indent === indent && (lines[i]!.text.startsWith('- ') || lines[i]!.text === '-'); skipBlank()) {
      const rest = lines[i]!.text.slice(1).trimStart();
      if (!rest) {
        i++;
        out.push(block(indent + 1));
      } else if (KEY.test(rest)) {
        // "- key: value": the item is a map whose first key sits on the dash line.
        lines[i] = { indent: indent + 2, text: rest };
        out.push(map(indent + 2));
      } else {
        i++;
        out.push(scalar(rest));
      }
    }
    return out;
  }

  function map(indent: number): { [k: string]: Yaml } {
    const out: { [k: string]: Yaml } = {};
    for (skipBlank(); i < lines.length && lines[i]!.indent === indent; skipBlank()) {
      const m = KEY.exec(lines[i]!.text);
      if (!m) throw new Error(`mini-yaml: expected "key:" at line ${i + 1}: ${lines[i]!.text}`);
      i++;
      out[unquoteKey(m[1]!)] = value(indent, m[2]);
    }
    return out;
  }

  function value(indent: number, rest: string | undefined): Yaml {
    if (rest !== undefined && rest.trim() !== '' && !/^[|>][-+]?$/.test(rest.trim())) return scalar(rest);
    const literal = rest !== undefined && /^[|>]/.test(rest.trim());
    skipBlank();
    if (i >= lines.length) return literal ? '' : null;
    const next = lines[i]!;
    if (!literal && next.indent === indent && next.text.startsWith('- ')) return seq(indent);
    if (next.indent <= indent) return literal ? '' : null;
    if (!literal && (next.text.startsWith('- ') || KEY.test(next.text))) return block(next.indent);
    // Block scalar, or a plain scalar continued on more-indented lines: join the text.
    const parts: string[] = [];
    while (i < lines.length && (lines[i]!.indent < 0 || lines[i]!.indent > indent)) parts.push(lines[i++]!.text);
    return parts.join(literal ? '\n' : ' ').trim();
  }

  return block(0);
}
