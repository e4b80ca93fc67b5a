-- want: 4:44: GROUP BY on a table is not supported yet
CREATE TABLE src (s STRING) WITH ('connector' = 'datagen');
CREATE TABLE out (v STRING) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT s FROM src GROUP BY s;
