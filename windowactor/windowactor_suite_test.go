package windowactor_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestWindowactor(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "windowactor")
}
