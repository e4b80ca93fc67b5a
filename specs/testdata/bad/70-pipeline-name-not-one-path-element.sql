-- want: 3:23: option 'pipeline.name' = '../escaped' is not a job name
-- A name with '/' would put the job's checkpoints outside state.checkpoints.dir.
SET 'pipeline.name' = '../escaped';
SET 'execution.checkpointing.interval' = '1 s';
CREATE TABLE src (a BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '10');
CREATE TABLE out (v BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT a FROM src;
