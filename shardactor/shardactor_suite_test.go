package shardactor_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// TestShardactor runs the shard actor's specs: one actor driven through a
// scripted Kinesis shard, a fake coordinator and sink, and a fake clock.
func TestShardactor(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "shardactor")
}
