package sinkactor_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// TestSinkactor runs the sink specs: the credit ledger, and the Kinesis
// sink against a scripted PutRecords endpoint.
func TestSinkactor(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Sinkactor Suite")
}
