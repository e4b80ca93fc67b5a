package datagen_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestDatagen(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "datagen")
}
