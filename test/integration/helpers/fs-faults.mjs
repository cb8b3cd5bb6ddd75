/**
 * Loaded into a CLI run with `node --import` by the offline and signal tests (never by the
 * product): a network share that stops answering, without FUSE, and a count of the photo reads.
 *
 * - SHIGUANG_TEST_HANG_UNDER=DIR: fs.promises calls on DIR or below (stat, lstat, opendir,
 *   readdir, realpath, access, open) do not answer — like an SMB/NFS share whose server went away —
 *   while the file SHIGUANG_TEST_HANG_WHILE exists (always, when that is not set). When the file is
 *   removed the pending calls go through, as they do when the server comes back.
 * - SHIGUANG_TEST_COUNT_READS_UNDER=DIR with SHIGUANG_TEST_COUNT_READS_FILE=FILE: every file under
 *   DIR opened for its content (createReadStream, fs.promises.open / readFile) is counted; the
 *   count is written to FILE when the process exits. (sharp decodes natively and is not counted:
 *   encodes are reported by the summary.)
 *
 * The product calls fs.promises.* and fs.createReadStream on the module objects at call time, so
 * replacing them here reaches every caller.
 */
import fs from 'node:fs';
import path from 'node:path';

const under = (dir, p) => {
  if (!dir) return false;
  const s = Buffer.isBuffer(p) ? p.toString() : typeof p === 'string' ? p : p instanceof URL ? p.pathname : String(p?.path ?? '');
  const rel = path.relative(dir, path.resolve(s));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};

const hangDir = process.env.SHIGUANG_TEST_HANG_UNDER;
const hangWhile = process.env.SHIGUANG_TEST_HANG_WHILE;
if (hangDir) {
  const hanging = () => (hangWhile ? fs.existsSync(hangWhile) : true);
  const waitTillAnswered = () =>
    new Promise((resolve) => {
      const t = setInterval(() => {
        if (!hanging()) {
          clearInterval(t);
          resolve();
        }
      }, 50);
      t.unref?.();
    });
  for (const name of ['stat', 'lstat', 'opendir', 'readdir', 'realpath', 'access', 'open']) {
    const real = fs.promises[name].bind(fs.promises);
    fs.promises[name] = async (p, ...rest) => {
      if (under(hangDir, p) && hanging()) await waitTillAnswered();
      return real(p, ...rest);
    };
  }
}

const countDir = process.env.SHIGUANG_TEST_COUNT_READS_UNDER;
const countFile = process.env.SHIGUANG_TEST_COUNT_READS_FILE;
if (countDir && countFile) {
  let reads = 0;
  const realStream = fs.createReadStream;
  fs.createReadStream = function (p, ...rest) {
    if (under(countDir, p)) reads++;
    return realStream.call(this, p, ...rest);
  };
  for (const name of ['open', 'readFile']) {
    const real = fs.promises[name].bind(fs.promises);
    fs.promises[name] = (p, ...rest) => {
      if (under(countDir, p)) reads++;
      return real(p, ...rest);
    };
  }
  process.on('exit', () => fs.writeFileSync(countFile, String(reads)));
}
