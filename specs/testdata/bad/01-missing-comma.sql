-- want: 4:3: expected
CREATE TABLE t (
  a BIGINT
  b STRING
) WITH ('connector' = 'blackhole');
