package checkpoint_test

import (
	"context"
	"os"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/internal/kinesalite"
)

func TestCheckpoint(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "checkpoint")
}

// dynalite plays DynamoDB for the DynamoDB store's specs; one process
// serves the suite, each spec using tables of its own.
var dynalite *kinesalite.Server

var _ = BeforeSuite(func(ctx context.Context) {
	var err error
	dynalite, err = kinesalite.StartDynalite(ctx, kinesalite.DynaliteOptions{})
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(dynalite.Close)
	// The store takes credentials from the AWS default chain; dynalite
	// wants some, and checks none.
	for k, v := range map[string]string{"AWS_ACCESS_KEY_ID": "dynalite", "AWS_SECRET_ACCESS_KEY": "dynalite", "AWS_REGION": "us-east-1"} {
		if os.Getenv(k) == "" {
			Expect(os.Setenv(k, v)).To(Succeed())
		}
	}
})
