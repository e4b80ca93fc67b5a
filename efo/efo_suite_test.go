package efo_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestEFO(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "efo")
}
