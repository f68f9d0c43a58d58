import * as fs from 'fs';
import * as path from 'path';

/** Changes when the archive's layout does, so that archives packed before are not reused. */
export const ARCHIVE_FORMAT = 'cdk-proton-bundle-1';

/** Every entry gets the same mode and time, so an archive depends on file names and bytes only. */
const FILE_MODE = 0o100644;
const FIXED_MTIME = new Date(0);

/** The regular files below `dir`, as sorted POSIX paths relative to it. Symbolic links are refused. */
export function listFiles(dir: string): string[] {
  const files: string[] = [];
  const walk = (relative: string) => {
    for (const entry of fs.readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) files.push(child);
      else throw new Error(`${child} is not a regular file (links and special files cannot go into a bundle)`);
    }
  };
  walk('');
  return files.sort();
}

/**
 * Packs `files` (relative to `dir`) into a gzip tar at `outFile`, deterministically: the same
 * content gives the same bytes whatever the file times, owners, permissions or directory order.
 */
export function writeDeterministicArchive(dir: string, files: string[], outFile: string): void {
  // Loaded here: a synth whose bundles were packed before does not need it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tar: typeof import('tar') = require('tar');
  tar.create(
    {
      sync: true,
      gzip: { level: 9 },
      file: outFile,
      cwd: dir,
      portable: true,
      noDirRecurse: true,
      mtime: FIXED_MTIME,
      onWriteEntry: (entry) => {
        if (entry.stat) entry.stat.mode = FILE_MODE;
      },
    },
    [...files].sort(),
  );
}
