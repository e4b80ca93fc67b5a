-- want: 4:31: did you mean `src`
CREATE TABLE src (user_id BIGINT) WITH ('connector' = 'datagen');
CREATE TABLE out (v BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT * FROM srcc;
