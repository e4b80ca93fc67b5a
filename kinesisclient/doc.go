// Package kinesisclient builds the aws-sdk-go-v2 Kinesis client of a table
// from its typed options (aws.region, aws.endpoint,
// aws.trust.all.certificates, aws.credentials.*), classifies the errors the
// service returns into retryable and fatal, and runs calls with the
// full-jitter backoff of their operation's options.
//
// Actors declare the few calls they need as their own narrow interfaces; the
// *kinesis.Client made here satisfies them. This package spawns no actors.
package kinesisclient
