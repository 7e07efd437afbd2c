// ioredis's and node-redis's multi() (a MULTI/EXEC) and pipelines against
// each port given, as an application would use them. Prints one line per
// check passed; exits 1 at the first that fails, saying what it got.
'use strict';
const assert = require('node:assert/strict');
const Redis = require('ioredis');
const { createClient } = require('redis');

async function withIoredis(port, tag) {
  const r = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
  try {
    const k = `io:${tag}:counter`;
    const results = await r.multi()
      .set(k, '10').incr(k).incrby(k, 5).get(k)
      .sadd(`io:${tag}:set`, 'a', 'b', 'a').smembers(`io:${tag}:set`)
      .hset(`io:${tag}:hash`, 'f', 'v').hgetall(`io:${tag}:hash`)
      .exec();
    const values = results.map(([err, value]) => (err ? `error: ${err.message}` : value));
    assert.deepEqual(values.slice(0, 5), ['OK', 11, 16, '16', 2]);
    assert.deepEqual([...values[5]].sort(), ['a', 'b']);
    assert.deepEqual(values.slice(6), [1, { f: 'v' }]);
    // A failing command inside does not stop the others (as in Redis).
    const mixed = await r.multi().set(`io:${tag}:s`, 'x').incr(`io:${tag}:s`).get(`io:${tag}:s`).exec();
    assert.equal(mixed[0][1], 'OK');
    assert.match(mixed[1][0].message, /not an integer/);
    assert.equal(mixed[2][1], 'x');
    const piped = await r.pipeline().incr(k).get(k).exec();
    assert.deepEqual(piped.map(([, v]) => v), [17, '17']);
    console.log(`ok ioredis ${port}`);
  } finally {
    r.disconnect();
  }
}

async function withNodeRedis(port, tag) {
  const c = createClient({ socket: { port, host: '127.0.0.1' } });
  c.on('error', () => {});
  await c.connect();
  try {
    const k = `nr:${tag}:counter`;
    const values = await c.multi()
      .set(k, '1').incr(k).get(k)
      .hSet(`nr:${tag}:hash`, 'f', 'v').hGetAll(`nr:${tag}:hash`)
      .exec();
    assert.deepEqual(values.slice(0, 4), ['OK', 2, '2', 1]);
    assert.deepEqual({ ...values[4] }, { f: 'v' });
    const piped = await c.multi().incr(k).get(k).execAsPipeline();
    assert.deepEqual(piped, [3, '3']);
    assert.equal(await c.get(k), '3');
    console.log(`ok node-redis ${port}`);
  } finally {
    await c.quit();
  }
}

(async () => {
  const ports = process.argv.slice(2).map(Number);
  for (const [i, port] of ports.entries()) {
    await withIoredis(port, i);
    await withNodeRedis(port, i);
  }
})().catch((err) => {
  console.error(err.stack || String(err));
  process.exit(1);
});
