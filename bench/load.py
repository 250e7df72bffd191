"""Writes the memory benchmark's data as RESP for `redis-cli --pipe`:
1,000,000 small string keys, a hash and a sorted set of 100,000 elements each."""
import sys

out = sys.stdout.buffer
def cmd(*args):
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
    out.write(b"".join(parts))

for i in range(1_000_000):
    cmd(b"SET", b"key:%d" % i, b"value:%d" % i)
for i in range(0, 100_000, 100):
    args = [b"HSET", b"big:hash"]
    for j in range(i, i + 100):
        args += [b"field:%d" % j, b"value:%d" % j]
    cmd(*args)
for i in range(0, 100_000, 100):
    args = [b"ZADD", b"big:zset"]
    for j in range(i, i + 100):
        args += [str(j).encode(), b"member:%d" % j]
    cmd(*args)
