// The API key the dashboard sends (Authorization: Bearer on REST, access_token on the live socket).
// Kept in this browser's localStorage only. Without one, calls are anonymous: the demo answers them
// as its demo tenant; a production server refuses them (401).
import { useState, type FormEvent } from 'react';
import { apiKey, setApiKey } from '../api.ts';

export function SettingsPage() {
  const [value, setValue] = useState(apiKey() ?? '');
  const [saved, setSaved] = useState<string>();
  const save = (e: FormEvent) => {
    e.preventDefault();
    setApiKey(value.trim() || undefined);
    setSaved(value.trim() ? 'Saved: the key is used for every call from now on.' : 'Cleared: calls are anonymous (demo tenant only).');
  };
  return (
    <section className="card settings">
      <h1>Settings</h1>
      <form onSubmit={save}>
        <label className="field block" htmlFor="api-key">
          <span>API key or access token</span>
        </label>
        <input id="api-key" name="api-key" type="password" autoComplete="off" spellCheck={false} value={value} onChange={(e) => setValue(e.target.value)} aria-describedby="api-key-help" />
        <p id="api-key-help" className="muted">
          Needs the <code>matches:read</code> and <code>live:read</code> scopes. Stored in this browser only (localStorage). Leave empty for the demo, which lets anonymous calls read its demo tenant.
        </p>
        <button type="submit">Save</button>
        {saved && (
          <p role="status" className="ok">
            {saved}
          </p>
        )}
      </form>
    </section>
  );
}
