import { describe, expect, it } from 'vitest';
import { compareVersions, parseRange, parseVersion, satisfies } from '../../src/plugins/semver.ts';

describe('plugin semver', () => {
  it('parses versions with pre-release and build, and refuses the rest', () => {
    expect(parseVersion('1.2.3')).toEqual({ major: 1, minor: 2, patch: 3, pre: [] });
    expect(parseVersion('1.0.0-rc.1+sha.5')).toEqual({ major: 1, minor: 0, patch: 0, pre: ['rc', 1] });
    for (const bad of ['1.2', '01.2.3', '1.2.3-', 'v1.2.3', '1.2.3.4', '', 'x.1.2', '1.2.3-01']) expect(parseVersion(bad), bad).toBeUndefined();
  });

  it('orders versions as semver 2.0 does', () => {
    const order = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.0.1', '1.1.0', '2.0.0'];
    for (let i = 1; i < order.length; i++) {
      expect(compareVersions(parseVersion(order[i - 1]!)!, parseVersion(order[i]!)!), `${order[i - 1]} < ${order[i]}`).toBe(-1);
      expect(compareVersions(parseVersion(order[i]!)!, parseVersion(order[i - 1]!)!)).toBe(1);
    }
    expect(compareVersions(parseVersion('1.0.0+a')!, parseVersion('1.0.0+b')!)).toBe(0);
  });

  it.each([
    ['^1.2.3', ['1.2.3', '1.9.0', '1.2.10'], ['1.2.2', '2.0.0', '0.9.9', '2.0.0-rc.1']],
    ['^0.2.3', ['0.2.3', '0.2.9'], ['0.3.0', '0.2.2', '1.0.0']],
    ['^0.0.3', ['0.0.3'], ['0.0.4', '0.0.2']],
    ['^1', ['1.0.0', '1.99.0'], ['2.0.0', '0.1.0']],
    ['^1.2', ['1.2.0', '1.5.0'], ['1.1.9', '2.0.0']],
    ['^0.2', ['0.2.0', '0.2.7'], ['0.3.0']],
    ['~1.2.3', ['1.2.3', '1.2.9'], ['1.3.0', '1.2.2']],
    ['~1.2', ['1.2.0', '1.2.9'], ['1.3.0']],
    ['~1', ['1.0.0', '1.9.9'], ['2.0.0']],
    ['1.2.3', ['1.2.3'], ['1.2.4', '1.2.3-rc.1']],
    ['=1.2.3', ['1.2.3'], ['1.2.4']],
    ['>=1.0.0', ['1.0.0', '5.0.0'], ['0.9.9', '1.0.0-rc.1']],
    ['>=1.0.0 <2.0.0', ['1.0.0', '1.9.9'], ['2.0.0', '0.9.0']],
    ['>= 1.0.0 < 2', ['1.0.0', '1.9.9'], ['2.0.0']],
    ['<2.0.0', ['1.9.9', '0.0.1'], ['2.0.0', '2.0.0-rc.1']],
    ['>1.2.3', ['1.2.4'], ['1.2.3']],
    ['<=1.2.3', ['1.2.3', '1.0.0'], ['1.2.4']],
    ['1.x', ['1.0.0', '1.7.3'], ['2.0.0', '0.1.0']],
    ['1.2.x', ['1.2.0', '1.2.9'], ['1.3.0']],
    ['1.X.x', ['1.5.5'], ['2.0.0']],
    ['*', ['0.0.1', '9.9.9'], ['1.0.0-rc.1']],
    ['x', ['1.0.0'], []],
    ['', ['1.0.0'], []],
    ['<1.x', ['0.9.9'], ['1.0.0']],
    ['>1.x', ['2.0.0'], ['1.9.9']],
    ['^1.0.0 || ^3.0.0', ['1.5.0', '3.1.0'], ['2.0.0', '4.0.0']],
    ['>=1.0.0-rc.1 <2.0.0', ['1.0.0-rc.1', '1.0.0-rc.2', '1.0.0'], ['1.0.0-beta', '1.1.0-rc.1']],
  ])('%s', (range, yes, no) => {
    for (const v of yes) expect(satisfies(v, range), `${v} in ${range}`).toBe(true);
    for (const v of no) expect(satisfies(v, range), `${v} not in ${range}`).toBe(false);
  });

  it('refuses what is not a range', () => {
    for (const bad of ['^', '>=', 'abc', '1.2.3.4', '^1.2.3 ^', '~>1.0', '1.2.3 - ', 'x'.repeat(300), '>=a.b.c']) expect(parseRange(bad), bad).toBeUndefined();
    expect(satisfies('1.0.0', 'abc')).toBe(false);
    expect(satisfies('not a version', '*')).toBe(false);
  });
});
