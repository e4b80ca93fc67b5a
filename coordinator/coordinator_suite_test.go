package coordinator_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// TestCoordinator runs the coordinator's specs: one coordinator over a
// scripted stream, with a placement that records the shards it starts.
func TestCoordinator(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "coordinator")
}
