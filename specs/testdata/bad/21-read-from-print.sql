-- want: 4:31: can only be written
CREATE TABLE p (a BIGINT) WITH ('connector' = 'print');
CREATE TABLE out (v BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT a FROM p;
