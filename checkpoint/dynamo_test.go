package checkpoint_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/checkpoint"
	"github.com/shardflow/shardflow/checkpoint/checkpointtest"
	"github.com/shardflow/shardflow/internal/kinesalite"
)

var tables atomic.Int64

// newTable returns a table name no other spec uses.
func newTable() string {
	return fmt.Sprintf("checkpoints-%d-%d", GinkgoParallelProcess(), tables.Add(1))
}

// dynamoStore opens a store on a new table of dynalite, through the factory.
func dynamoStore(retain int) *checkpoint.DynamoStore {
	GinkgoHelper()
	store, err := checkpoint.Open(context.Background(), checkpoint.Settings{Dir: "dynamodb://" + newTable(), Retain: retain,
		DynamoDB: checkpoint.DynamoDB{Region: "us-east-1", Endpoint: dynalite.URL()}})
	Expect(err).NotTo(HaveOccurred())
	Expect(store).To(BeAssignableToTypeOf(&checkpoint.DynamoStore{}))
	return store.(*checkpoint.DynamoStore)
}

// rawDynamo is a client of dynalite that looks at the table as it is.
func rawDynamo() *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(dynalite.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("dynalite", "dynalite", "")})
}

// items returns the item keys of job in table, in key order.
func items(table, job string) []string {
	GinkgoHelper()
	out, err := rawDynamo().Query(context.Background(), &dynamodb.QueryInput{TableName: &table,
		KeyConditionExpression:    aws.String("#j = :j"),
		ExpressionAttributeNames:  map[string]string{"#j": "job"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":j": &types.AttributeValueMemberS{Value: job}}})
	Expect(err).NotTo(HaveOccurred())
	var keys []string
	for _, it := range out.Items {
		keys = append(keys, it["item"].(*types.AttributeValueMemberS).Value)
	}
	return keys
}

var _ = Describe("the DynamoDB checkpoint store", func() {
	checkpointtest.Contract(func(retain int) checkpointtest.Harness {
		store := dynamoStore(retain)
		return checkpointtest.Harness{Store: store, Corrupt: func(ctx context.Context, job string, id int64) {
			GinkgoHelper()
			_, err := rawDynamo().UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &store.Table,
				Key: map[string]types.AttributeValue{
					"job":  &types.AttributeValueMemberS{Value: job},
					"item": &types.AttributeValueMemberS{Value: fmt.Sprintf("chk#%019d", id)}},
				UpdateExpression:          aws.String("SET body = :b"),
				ConditionExpression:       aws.String("attribute_exists(body)"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":b": &types.AttributeValueMemberB{Value: []byte(`{"job":"orders","id":9}`)}}})
			Expect(err).NotTo(HaveOccurred())
		}}
	})
})

var _ = Describe("the DynamoDB checkpoint store's table", func() {
	ctx := context.Background()

	It("is created on the first save, keyed by job and item, and is ACTIVE", func() {
		store := dynamoStore(3)
		_, err := rawDynamo().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &store.Table})
		var missing *types.ResourceNotFoundException
		Expect(errors.As(err, &missing)).To(BeTrue(), "opening creates nothing: %v", err)
		entries, err := store.List(ctx, "orders")
		Expect(err).NotTo(HaveOccurred())
		Expect(entries).To(BeEmpty())
		_, err = rawDynamo().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &store.Table})
		Expect(errors.As(err, &missing)).To(BeTrue(), "listing creates nothing: %v", err)

		Expect(store.Save(ctx, sample(1))).To(Succeed())
		desc, err := rawDynamo().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &store.Table})
		Expect(err).NotTo(HaveOccurred())
		Expect(desc.Table.TableStatus).To(Equal(types.TableStatusActive))
		Expect(desc.Table.KeySchema).To(ConsistOf(
			types.KeySchemaElement{AttributeName: aws.String("job"), KeyType: types.KeyTypeHash},
			types.KeySchemaElement{AttributeName: aws.String("item"), KeyType: types.KeyTypeRange}))
	})

	It("holds one item per checkpoint, split into parts when it is larger than an item, and drops the parts with it", func() {
		store := dynamoStore(1)
		store.PartSize = 100
		Expect(store.Save(ctx, sample(1))).To(Succeed())
		keys := items(store.Table, "orders")
		Expect(keys).To(ContainElements("chk#0000000000000000001", "fence", "part#0000000000000000001#00001"))
		Expect(len(keys)).To(BeNumerically(">", 3), "a sample checkpoint is a few hundred bytes: several parts of 100")
		Expect(store.Save(ctx, sample(2))).To(Succeed())
		for _, k := range items(store.Table, "orders") {
			Expect(k).NotTo(ContainSubstring("0000000000000000001"), "checkpoint 1 is pruned whole")
		}
		cp, _, err := store.Latest(ctx, "orders")
		Expect(err).NotTo(HaveOccurred())
		Expect(cp.Ref).To(Equal("dynamodb://" + store.Table + "/orders/2"))
	})

	It("loads a printed reference back through the factory, and refuses one that is not", func() {
		store := dynamoStore(3)
		Expect(store.Save(ctx, sample(4))).To(Succeed())
		settings := checkpoint.Settings{DynamoDB: checkpoint.DynamoDB{Region: "us-east-1", Endpoint: dynalite.URL()}}
		cp, err := checkpoint.LoadRef(ctx, checkpoint.Ref(store.Table, "orders", 4), settings)
		Expect(err).NotTo(HaveOccurred())
		Expect(cp.ID).To(Equal(int64(4)))
		_, err = checkpoint.LoadRef(ctx, checkpoint.Ref(store.Table, "orders", 3), settings)
		Expect(err).To(MatchError(ContainSubstring("checkpoint dynamodb://%s/orders/3 does not exist in DynamoDB table %q at %s", store.Table, store.Table, dynalite.URL())))
		_, err = checkpoint.LoadRef(ctx, "dynamodb://"+store.Table+"/orders", settings)
		Expect(err).To(MatchError(ContainSubstring("write dynamodb://TABLE/JOB/ID")))
	})

	It("gives each writer that takes over a higher epoch, and refuses the writers before it even before its first save", func() {
		// Flow: node A takes epoch 1 and saves; node B (another store on
		// the same table) takes epoch 2 and has saved nothing yet; A's next
		// save is refused, so is a save of a writer that never took one.
		a := dynamoStore(3)
		b, err := checkpoint.NewDynamoStore(ctx, a.Table, checkpoint.DynamoDB{Region: "us-east-1", Endpoint: dynalite.URL()}, 3)
		Expect(err).NotTo(HaveOccurred())
		save := func(store checkpoint.Store, id, epoch int64) error {
			cp := sample(id)
			cp.Epoch = epoch
			return store.Save(ctx, cp)
		}
		first, err := a.NewEpoch(ctx, "orders")
		Expect(err).NotTo(HaveOccurred())
		Expect(save(b, 1, 0)).To(MatchError(checkpoint.ErrStale), "a writer without an epoch is fenced before the job's first checkpoint")
		Expect(save(a, 1, first)).To(Succeed())
		second, err := b.NewEpoch(ctx, "orders")
		Expect(err).NotTo(HaveOccurred())
		Expect(second).To(BeNumerically(">", first))
		err = save(a, 2, first)
		Expect(err).To(MatchError(checkpoint.ErrStale))
		Expect(err).To(MatchError(checkpoint.ErrFenced), "refused for its epoch, not its ID")
		Expect(save(b, 2, second)).To(Succeed())
		other, err := a.NewEpoch(ctx, "returns")
		Expect(err).NotTo(HaveOccurred())
		Expect(other).To(Equal(int64(1)), "each job has epochs of its own")
	})

	It("says which table at which endpoint it could not reach", func() {
		down, err := kinesalite.StartDynalite(ctx, kinesalite.DynaliteOptions{})
		Expect(err).NotTo(HaveOccurred())
		url := down.URL()
		Expect(down.Close()).To(Succeed())
		store, err := checkpoint.Open(ctx, checkpoint.Settings{Dir: "dynamodb://gone", DynamoDB: checkpoint.DynamoDB{Region: "us-east-1", Endpoint: url}})
		Expect(err).NotTo(HaveOccurred())
		short, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		err = store.Save(short, sample(1))
		Expect(err).To(MatchError(ContainSubstring(`saving checkpoint 1 of job "orders": looking for DynamoDB table "gone" at ` + url)))
		_, err = store.List(short, "orders")
		Expect(err).To(MatchError(ContainSubstring(`reading checkpoints of job "orders" from DynamoDB table "gone" at ` + url)))
	})
})

var _ = Describe("choosing a checkpoint store", func() {
	It("asks for a region when neither the settings nor the AWS configuration give one", func() {
		GinkgoT().Setenv("AWS_REGION", "")
		GinkgoT().Setenv("AWS_DEFAULT_REGION", "")
		GinkgoT().Setenv("AWS_CONFIG_FILE", filepath.Join(GinkgoT().TempDir(), "none"))
		_, err := checkpoint.Open(context.Background(), checkpoint.Settings{Dir: "dynamodb://shardflow-checkpoints"})
		Expect(err).To(MatchError(`DynamoDB checkpoint table "shardflow-checkpoints": no region: set 'state.checkpoints.dynamodb.region' (or AWS_REGION)`))
	})

	It("keeps files in a directory, a file:// URI, or the default directory", func() {
		ctx := context.Background()
		for dir, want := range map[string]string{"/var/lib/cp": "/var/lib/cp", "file:///var/lib/cp": "/var/lib/cp", "": checkpoint.DefaultDir()} {
			store, err := checkpoint.Open(ctx, checkpoint.Settings{Dir: dir})
			Expect(err).NotTo(HaveOccurred())
			Expect(store).To(Equal(&checkpoint.FileStore{Dir: want, Retain: 1}), "dir %q", dir)
		}
	})
})
