/**
 * The rule book stays the project's own (docs/rules.md): no file points outside the repository for a rule,
 * every pointer into the rule book (its path, then a section's label in double quotes) names a section that
 * exists, and every test a section's "Tested by:" names is there, with the titles it quotes.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const rulesPath = 'docs/rules.md';

/** Written in two parts, so that this file does not name what it forbids. */
const FORBIDDEN = ['behaviour' + '.md', 'shared' + '/spec'];

/** The repository's .ts, .svelte and .md files: tracked, and new ones not ignored (so a check before a commit sees them). */
function sourceFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  });
  return [...new Set(out.split('\0'))]
    .filter((file) => /\.(ts|cts|mts|svelte|md)$/.test(file))
    .filter((file) => !/(^|\/)(node_modules|dist)\//.test(file))
    .filter((file) => existsSync(path.join(root, file)));
}

interface Section {
  readonly heading: string;
  readonly body: string;
}

function sections(markdown: string): Section[] {
  return markdown
    .split(/^## /m)
    .slice(1)
    .map((part) => {
      const end = part.indexOf('\n');
      return { heading: part.slice(0, end).trim(), body: part.slice(end + 1) };
    });
}

/** `- \`file\`: "title"; "title"` lines after "Tested by:". */
function testedBy(section: Section): { file: string; titles: string[] }[] {
  const at = section.body.indexOf('Tested by:');
  if (at < 0) return [];
  return section.body
    .slice(at)
    .split('\n')
    .filter((line) => line.startsWith('- `'))
    .map((line) => ({
      file: /^- `([^`]+)`/.exec(line)![1]!,
      titles: [...line.matchAll(/"([^"]+)"/g)].map((m) => m[1]!),
    }));
}

/** A label names a section when the heading is the label, or starts with it followed by ':' or a space. */
function names(label: string, heading: string): boolean {
  return heading === label || heading.startsWith(`${label}:`) || heading.startsWith(`${label} `);
}

describe('docs/rules.md: the rule book is in the repository', () => {
  const rules = sections(readFileSync(path.join(root, rulesPath), 'utf8'));

  it('no file of the repository points at the rules outside it', () => {
    const offenders = sourceFiles().flatMap((file) => {
      const text = readFileSync(path.join(root, file), 'utf8');
      return text
        .split('\n')
        .flatMap((line, i) =>
          FORBIDDEN.some((word) => line.includes(word)) ? [`${file}:${i + 1}: ${line.trim()}`] : [],
        );
    });
    expect(offenders).toEqual([]);
  });

  it('every section names at least one test, and every test file named exists and holds each title quoted', () => {
    const problems: string[] = [];
    for (const section of rules) {
      const tests = testedBy(section);
      if (tests.length === 0) problems.push(`"${section.heading}": no "Tested by:" list`);
      for (const { file, titles } of tests) {
        const full = path.join(root, file);
        if (!existsSync(full)) {
          problems.push(`"${section.heading}": ${file} does not exist`);
          continue;
        }
        const text = readFileSync(full, 'utf8');
        if (titles.length === 0) problems.push(`"${section.heading}": ${file} quotes no test title`);
        for (const title of titles) {
          if (!text.includes(title)) problems.push(`"${section.heading}": ${file} has no test "${title}"`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('every pointer into docs/rules.md, anywhere in the repository, names one of its sections', () => {
    const pointer = /docs\/rules\.md\s*\(?("[^"\n]+"(?:\s*(?:,|;|and)\s*"[^"\n]+")*)/g;
    const problems = sourceFiles().flatMap((file) => {
      const text = readFileSync(path.join(root, file), 'utf8').replace(/\n\s*(\*|\/\/|--)?\s*/g, ' ');
      return [...text.matchAll(pointer)].flatMap((match) =>
        [...match[1]!.matchAll(/"([^"]+)"/g)]
          .map((label) => label[1]!)
          .filter((label) => !rules.some((section) => names(label, section.heading)))
          .map((label) => `${file}: no section "${label}" in ${rulesPath}`),
      );
    });
    expect(problems).toEqual([]);
  });
});
