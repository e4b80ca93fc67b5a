package clustermode_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The suite holds what runs in one process. Membership itself (etcd,
// automanaged, refusal, leaving) is specified with runner processes in
// specs/cluster_test.go: protoactor's remote layer sets grpc's global
// logger on every start, a data race with any grpc client already running
// in the process, so several nodes in one race-detecting test binary
// cannot be told apart from a bug of ours.
func TestClustermode(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Clustermode Suite")
}
