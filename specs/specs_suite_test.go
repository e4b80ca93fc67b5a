package specs_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// TestSpecs runs the project's cross-package specs. The Kinesis conformance
// suite (conformance_*_test.go) starts its backends once per suite in
// backends_test.go.
func TestSpecs(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Specs Suite")
}
