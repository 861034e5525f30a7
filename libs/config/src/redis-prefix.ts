/**
 * The key prefix of a deployment on Redis Cluster. Cluster places a key by its hash tag (the text
 * between its first `{` and the next `}`), so a prefix that is a hash tag puts every key of the
 * deployment in one slot: the multi-key Lua scripts and MULTIs that keep a job's record, indexes,
 * usage and queue entries consistent stay legal and atomic. A prefix that already holds a tag is
 * kept as written.
 */
export function clusterPrefix(prefix: string): string {
  const open = prefix.indexOf('{');
  const close = open < 0 ? -1 : prefix.indexOf('}', open + 1);
  return close > open + 1 ? prefix : `{${prefix}}`;
}
