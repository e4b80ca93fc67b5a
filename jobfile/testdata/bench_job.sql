-- A job of the size a user writes: settings, a source, two sinks, a statement set.
SET 'pipeline.name' = 'user-behavior-enrichment';
SET 'execution.checkpointing.interval' = '30 s';
SET 'state.checkpoints.dir' = 'file:///tmp/checkpoints';

CREATE TABLE KinesisTable (
  `user_id` BIGINT,
  `item_id` BIGINT,
  `category_id` BIGINT,
  `behavior` STRING,
  `ts` TIMESTAMP(3),
  `arrival_time` TIMESTAMP(3) METADATA FROM 'timestamp' VIRTUAL,
  `shard_id` VARCHAR(128) NOT NULL METADATA FROM 'shard-id' VIRTUAL,
  `sequence_number` VARCHAR(128) NOT NULL METADATA FROM 'sequence-number' VIRTUAL,
  WATERMARK FOR `ts` AS `ts` - INTERVAL '5' SECOND
)
PARTITIONED BY (user_id, item_id)
WITH (
  'connector' = 'kinesis',
  'stream' = 'user_behavior',
  'aws.region' = 'us-east-2',
  'scan.stream.initpos' = 'LATEST',
  'format' = 'csv'
);

CREATE TABLE purchases (
  user_id BIGINT NOT NULL,
  item_id BIGINT,
  label VARCHAR(32),
  price DECIMAL(10, 2),
  ts TIMESTAMP(3),
  PRIMARY KEY (user_id) NOT ENFORCED
) WITH ('connector' = 'kinesis', 'stream' = 'purchases', 'aws.region' = 'us-east-2', 'format' = 'json');

CREATE TABLE audit (shard STRING, seq STRING, n INT) WITH ('connector' = 'print');

/* Both inserts run as one job. */
EXECUTE STATEMENT SET
BEGIN
  INSERT INTO purchases
  SELECT user_id, item_id,
         CASE WHEN category_id IN (1, 2, 3) THEN 'books' WHEN category_id BETWEEN 4 AND 9 THEN 'media'
              ELSE UPPER(TRIM(behavior)) END AS label,
         CAST(item_id % 100 AS DECIMAL(10, 2)) / 4 AS price,
         ts
  FROM KinesisTable
  WHERE behavior = 'buy' AND user_id IS NOT NULL AND behavior NOT LIKE 'test%';
  INSERT INTO audit
  SELECT shard_id, SUBSTRING(sequence_number FROM 1 FOR 12), CHAR_LENGTH(sequence_number)
  FROM KinesisTable AS k
  WHERE k.arrival_time > TIMESTAMP '2024-01-01 00:00:00.000' OR k.user_id < 0;
END;
