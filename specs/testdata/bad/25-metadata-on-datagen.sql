-- want: 2:60: provides no metadata
CREATE TABLE src (a BIGINT, sid VARCHAR(128) METADATA FROM 'shard-id') WITH ('connector' = 'datagen');
CREATE TABLE out (v BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT a FROM src;
