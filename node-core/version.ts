import fs from 'node:fs';
import { packageJsonPath } from './paths.ts';

const pkg = JSON.parse(fs.readFileSync(packageJsonPath, 'utf8')) as { version: string };

export const VERSION: string = pkg.version;
