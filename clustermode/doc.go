// Package clustermode runs one shardflow job across several nodes on
// protoactor-go's own cluster: a node joins a named cluster through a
// membership provider (etcd, automanaged with no external service, or k8s
// in a runner built with the build tag k8s), carries the identity of its
// job (the job's name, the shardflow version and a hash of the compiled
// plan) in its member kinds, and refuses to join members of another
// identity. It lists the members for `runner cluster status`, and Assign
// spreads a table's shards over them.
//
// It is not a membership protocol of its own (protoactor's providers keep
// the member list, its leases and its topology events), and it knows
// nothing of Kinesis calls or of how a job runs: package job runs the job in
// the node's actor system.
package clustermode
