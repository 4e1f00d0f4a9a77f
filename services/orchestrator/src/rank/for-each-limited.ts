/**
 * Runs `run(0)` to `run(count - 1)`, at most `limit` at a time, in order of index. The first
 * failure rejects, and no index starts after it.
 */
export async function forEachLimited(
  count: number,
  limit: number,
  run: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const runner = async () => {
    while (!failed && next < count) {
      const index = next++;
      try {
        await run(index);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, runner));
}
