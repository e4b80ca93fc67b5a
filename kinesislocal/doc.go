// Package kinesislocal is a faithful, fast, in-memory Amazon Kinesis Data
// Streams endpoint for development, tests and benchmarks. It speaks the
// service's JSON 1.1 wire protocol over HTTP, or HTTPS with HTTP/2, so an
// unmodified aws-sdk-go-v2 client (or the AWS CLI) works against it with
// BaseEndpoint set to Server.URL and any static credentials and region.
//
// It follows the service where clients can tell: shard ids, the hash key
// ranges of new streams and of splits, routing by the MD5 of the partition
// key or an ExplicitHashKey, sequence numbers in the service's layout, shard
// lineage after SplitShard, MergeShards and UpdateShardCount, iterator
// expiry, pagination tokens, error codes and messages. The same conformance
// suite runs against it and against kinesalite (see specs/).
//
// On top of the service it offers what tests need: fault injection
// (Server.Faults: failed calls and records, latency, stalls, dropped
// connections, expired iterators, ended subscriptions), the service's
// per-shard limits on demand (Options.EnforceLimits), and optional
// persistence across restarts (Options.DataDir). Stream state changes
// (CREATING, UPDATING, DELETING) finish at once unless Options.StreamDelay
// asks otherwise. A call it fails to serve (a bug in the endpoint) is
// answered InternalFailure, HTTP 500, and logged at error level with its
// stack; the connection stays open.
//
//	srv, err := kinesislocal.New(kinesislocal.Options{})
//	if err != nil { ... }
//	if err := srv.Start(); err != nil { ... }
//	defer srv.Close()
//	_ = srv.CreateStream("orders", 4)
//	client := kinesis.New(kinesis.Options{
//		BaseEndpoint: aws.String(srv.URL()),
//		Region:       "us-east-1",
//		Credentials:  credentials.NewStaticCredentialsProvider("x", "x", ""),
//	})
//
// It serves every operation of the SDK it is built with except the channel
// operations (CreateChannel and its kin deliver records to Amazon S3). Tags,
// resource policies, shard-level metrics, stream encryption, capacity mode,
// record size, warm throughput, record distribution and the account's
// billing commitment are validated, kept (in DataDir too) and reported back,
// but change nothing about how records flow: records are not encrypted,
// no metrics are published, no policy is evaluated, records above 1 MiB are
// refused whatever UpdateMaxRecordSize said, and records are routed by
// partition key under the AUTO distribution strategy too.
//
// It is not a production data store: it keeps everything in memory (the data
// directory is a convenience for development, with no compaction, no
// replication and no backups) and it checks no permissions. Without Options.Auth it
// checks no signatures either (a request needs no Authorization header at
// all, so anonymous SDK clients and curl work too).
//
// With Options.Auth (see LoadAuth) it verifies the SigV4 signature of every
// call as the service does, recomputing it with aws-sdk-go-v2's own signer,
// and answers the service's codes: UnrecognizedClientException for an
// unknown key or session token, InvalidSignatureException for a wrong
// secret, ExpiredTokenException for expired temporary credentials. It then
// also serves STS on the same address (AssumeRole, AssumeRoleWithWebIdentity
// and GetCallerIdentity, in STS's query protocol and XML), so the SDK's
// stscreds providers work against it, with BaseEndpoint or
// AWS_ENDPOINT_URL_STS; the credentials it issues live
// Options.CredentialLifetime. It is for proving that clients sign and
// refresh credentials, not a model of IAM: a role is assumable or not, and
// no policy is evaluated.
//
// Go clients talking plain HTTP to it should wrap the SDK's HTTP client in
// kinesisclient.ReadOnlyBodies: answers that come within microseconds
// trigger a race between aws-sdk-go-v2 and net/http (aws-sdk-go-v2 #2737)
// that makes the SDK retry calls that succeeded, so a PutRecords is stored
// twice. Only slower answers would avoid it on the endpoint's side.
//
// Enhanced fan-out reading (SubscribeToShard) streams AWS event-stream
// messages over HTTP/1.1 (chunked) and HTTP/2 alike; subscriptions last
// Options.SubscriptionLifetime, 5 minutes by default. Give each open
// subscription its own SDK client: aws-sdk-go-v2's Kinesis client shares
// its event stream decoder between streams (aws/smithy-go#714).
package kinesislocal
