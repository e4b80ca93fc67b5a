-- want: 2:27: DECIMAL precision must be between 1 and 38
CREATE TABLE t (a DECIMAL(40, 2)) WITH ('connector' = 'blackhole');
