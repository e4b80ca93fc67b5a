-- want: 4:13: can only be read
CREATE TABLE src (a BIGINT) WITH ('connector' = 'datagen');
CREATE TABLE gen2 (a BIGINT) WITH ('connector' = 'datagen');
INSERT INTO gen2 SELECT a FROM src;
