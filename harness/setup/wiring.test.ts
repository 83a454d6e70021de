import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const repo = (f: string) => readFileSync(new URL(`../../${f}`, import.meta.url), 'utf8');

describe('the test command and CI', () => {
  const scripts = (JSON.parse(repo('package.json')) as { scripts: Record<string, string> }).scripts;

  it('npm test sets up first, then typechecks, lints and runs every vitest project; test:unit has no set-up', () => {
    expect(scripts.test!.split(' && ')).toEqual(['node bin/ebbflow.js toolchain install --for-tests', 'npm run typecheck', 'npm run lint', 'vitest run']);
    expect(scripts['test:unit']).not.toMatch(/toolchain|setup/);
    expect(scripts.pretest).toBeUndefined();
  });

  it('.ci/run runs npm ci and then exactly the README\'s test command, nothing else', () => {
    const commands = repo('.ci/run')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#') && !/^(set |cd |step|\w+\(\) )/.test(l));
    expect(commands).toEqual(['npm ci --no-audit --no-fund', 'npm test']);
    expect(repo('README.md')).toMatch(/^npm test +# the test command/m);
  });
});
