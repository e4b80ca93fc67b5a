-- want: 2:56: unterminated string
CREATE TABLE t (a BIGINT) WITH ('connector = 'blackhole');
