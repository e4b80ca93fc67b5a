-- want: 4:24: UPPER
CREATE TABLE src (s STRING) WITH ('connector' = 'datagen');
CREATE TABLE out (v STRING) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT UPPPER(s) FROM src;
