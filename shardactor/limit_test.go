package shardactor_test

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/shardactor"
)

// blockingAPI holds every call until released, counting those inside.
type blockingAPI struct {
	mu            sync.Mutex
	inside, most  int
	release       chan struct{}
	entered, done chan struct{}
}

func newBlockingAPI() *blockingAPI {
	return &blockingAPI{release: make(chan struct{}), entered: make(chan struct{}, 100), done: make(chan struct{}, 100)}
}

func (b *blockingAPI) call(ctx context.Context) {
	b.mu.Lock()
	b.inside++
	b.most = max(b.most, b.inside)
	b.mu.Unlock()
	b.entered <- struct{}{}
	select {
	case <-b.release:
	case <-ctx.Done():
	}
	b.mu.Lock()
	b.inside--
	b.mu.Unlock()
}

func (b *blockingAPI) GetShardIterator(ctx context.Context, _ *kinesis.GetShardIteratorInput, _ ...func(*kinesis.Options)) (*kinesis.GetShardIteratorOutput, error) {
	b.call(ctx)
	return &kinesis.GetShardIteratorOutput{}, nil
}

func (b *blockingAPI) GetRecords(ctx context.Context, _ *kinesis.GetRecordsInput, _ ...func(*kinesis.Options)) (*kinesis.GetRecordsOutput, error) {
	b.call(ctx)
	return &kinesis.GetRecordsOutput{}, nil
}

var _ = Describe("LimitCalls", func() {
	It("lets at most n calls of many shards reach the client at once, and every call through in the end", func() {
		api := newBlockingAPI()
		limited := shardactor.LimitCalls(api, 2)
		var wg sync.WaitGroup
		for i := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var err error
				if i%2 == 0 {
					_, err = limited.GetRecords(context.Background(), &kinesis.GetRecordsInput{})
				} else {
					_, err = limited.GetShardIterator(context.Background(), &kinesis.GetShardIteratorInput{})
				}
				Expect(err).NotTo(HaveOccurred())
			}()
		}
		Eventually(api.entered).Should(HaveLen(2))
		Consistently(api.entered).Should(HaveLen(2))
		close(api.release)
		wg.Wait()
		Expect(api.entered).To(HaveLen(6))
		Expect(api.most).To(Equal(2))
	})

	It("gives up waiting for a slot when the call's context ends", func() {
		api := newBlockingAPI()
		defer close(api.release)
		limited := shardactor.LimitCalls(api, 1)
		go func() { _, _ = limited.GetRecords(context.Background(), &kinesis.GetRecordsInput{}) }()
		Eventually(api.entered).Should(HaveLen(1))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		errs := make(chan error, 1)
		go func() {
			_, err := limited.GetRecords(ctx, &kinesis.GetRecordsInput{})
			errs <- err
		}()
		Eventually(errs).Should(Receive(MatchError(context.Canceled)))
		Expect(api.entered).To(HaveLen(1))
	})

	It("raises a panic of the client in the caller, as if the call had run there", func() {
		limited := shardactor.LimitCalls(panickyAPI{}, 2)
		Expect(func() { _, _ = limited.GetRecords(context.Background(), &kinesis.GetRecordsInput{}) }).To(PanicWith("decoder bug"))
	})
})

// panickyAPI panics in every call, as a bug in a decoder would.
type panickyAPI struct{ *blockingAPI }

func (panickyAPI) GetRecords(context.Context, *kinesis.GetRecordsInput, ...func(*kinesis.Options)) (*kinesis.GetRecordsOutput, error) {
	panic("decoder bug")
}
