-- want: 4:37: window table function TUMBLE is not supported yet
CREATE TABLE src (s STRING, ts TIMESTAMP(3)) WITH ('connector' = 'datagen');
CREATE TABLE out (v STRING) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT s FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '1' MINUTE));
