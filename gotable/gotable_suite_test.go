package gotable_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestGotable(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "gotable")
}
