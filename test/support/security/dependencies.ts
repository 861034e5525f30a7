import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PackageJson {
  name?: string;
  version?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
  allowScripts?: Record<string, boolean>;
}

export function readPackageJson(path: string): PackageJson {
  return JSON.parse(readFileSync(path, 'utf8')) as PackageJson;
}

/** A package in node_modules that would run code at install time, and which hook does. */
export interface InstallScript {
  name: string;
  version: string;
  path: string;
  hooks: string[];
}

const INSTALL_HOOKS = ['preinstall', 'install', 'postinstall'] as const;

function packageDirs(nodeModules: string): string[] {
  if (!existsSync(nodeModules)) return [];
  return readdirSync(nodeModules, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .flatMap((entry) =>
      entry.name.startsWith('@')
        ? readdirSync(join(nodeModules, entry.name), { withFileTypes: true })
            .filter((scoped) => scoped.isDirectory())
            .map((scoped) => join(nodeModules, entry.name, scoped.name))
        : [join(nodeModules, entry.name)],
    );
}

/**
 * Every installed package (nested node_modules included) with an install-time hook. A binding.gyp
 * with no install script counts too: npm then runs `node-gyp rebuild` for it.
 */
export function installScripts(root: string): InstallScript[] {
  const found: InstallScript[] = [];
  const pending = [join(root, 'node_modules')];
  while (pending.length > 0) {
    for (const dir of packageDirs(pending.pop() ?? '')) {
      const manifestPath = join(dir, 'package.json');
      if (!existsSync(manifestPath)) continue;
      const manifest = readPackageJson(manifestPath);
      const hooks: string[] = INSTALL_HOOKS.filter((hook) => manifest.scripts?.[hook] !== undefined);
      if (hooks.length === 0 && existsSync(join(dir, 'binding.gyp'))) hooks.push('install (implicit node-gyp rebuild)');
      if (hooks.length > 0) found.push({ name: manifest.name ?? dir, version: manifest.version ?? '?', path: dir, hooks });
      pending.push(join(dir, 'node_modules'));
    }
  }
  return found;
}
