-- want: 2:33: single quotes
CREATE TABLE t (a BIGINT) WITH ("connector" = 'blackhole');
