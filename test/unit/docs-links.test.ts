import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A clone needs nothing outside itself: every relative link in the README and docs/ resolves to a
 * file inside the repository, and every repository file the prose names in backticks exists. A link
 * to ../shared/, or a file moved or renamed without its documentation, fails here naming both.
 */
const ROOT = path.join(__dirname, '..', '..');
const DOCS = readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md'));
const PAGES = ['README.md', ...DOCS.map((f) => `docs/${f}`)];

const REPO_FILE =
  /^(domain|workflows|activities|db|notify|api|worker|cli|bin|infra|lib|scripts|bench|test|\.ci)\/\S*\.\w+$/;
const withoutCode = (text: string) => text.replace(/```[\s\S]*?```/g, '');

describe('README and docs/', () => {
  it('link only to files inside the repository', () => {
    const broken = PAGES.flatMap((page) => {
      const text = withoutCode(readFileSync(path.join(ROOT, page), 'utf8'));
      return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
        .map(([, target]) => target.split('#')[0])
        .filter((target) => target && !/^https?:/.test(target))
        .filter((target) => {
          const resolved = path.resolve(ROOT, path.dirname(page), target);
          return !resolved.startsWith(`${ROOT}${path.sep}`) || !existsSync(resolved);
        })
        .map((target) => `${page}: ${target}`);
    });
    expect(broken).toEqual([]);
  });

  it('name only repository files that exist', () => {
    const missing = PAGES.flatMap((page) => {
      const text = withoutCode(readFileSync(path.join(ROOT, page), 'utf8'));
      return [...text.matchAll(/`([^`\s]+)`/g)]
        .map(([, name]) => name)
        .filter((name) => REPO_FILE.test(name) && !name.includes('*') && !existsSync(path.join(ROOT, name)))
        .map((name) => `${page}: ${name}`);
    });
    expect(missing).toEqual([]);
  });
});
