package checkpoint

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DynamoScheme starts a state.checkpoints.dir, and a checkpoint's Ref, kept
// in DynamoDB: dynamodb://TABLE and dynamodb://TABLE/JOB/ID.
const DynamoScheme = "dynamodb://"

// DynamoDB says where a DynamoDB checkpoint table is.
type DynamoDB struct {
	// Region is the table's region; empty to take the AWS configuration's
	// (AWS_REGION, ~/.aws/config).
	Region string
	// Endpoint is the DynamoDB endpoint URL, empty for the region's public
	// endpoint (dynalite's address in tests).
	Endpoint string
}

// dynamoAPI is what DynamoStore calls of DynamoDB.
type dynamoAPI interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	DescribeTable(context.Context, *dynamodb.DescribeTableInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
	CreateTable(context.Context, *dynamodb.CreateTableInput, ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
}

// DynamoStore keeps checkpoints in one DynamoDB table that every node of a
// job shares. The table (partition key "job", sort key "item", both
// strings, on-demand capacity) is created by the first Save when missing.
// A job's items are:
//
//   - "fence": the newest checkpoint ID and the highest epoch written (Fence);
//   - "chk#<id>": a checkpoint's head: its ID, time taken, epoch, size,
//     CRC-32C, how many parts its JSON has, and the first part;
//   - "part#<id>#<n>": the other parts, PartSize bytes each.
//
// A checkpoint larger than a DynamoDB item (400 KB) is split into parts
// rather than refused: window state grows with keys and a job should not
// stop checkpointing when it does. Save claims the ID on the fence item
// first, with a conditional update that refuses an ID not above the newest
// or an epoch below the highest (ErrStale): that one update is atomic, so
// of two writers only one gets an ID, and a node holding an older epoch
// gets none. The parts and then the head follow; readers list heads only,
// so a checkpoint is seen whole or not at all. A writer that dies between
// claim and head leaves an ID with no checkpoint: the next writer's first
// Save of that ID is refused as stale and the one after succeeds.
type DynamoStore struct {
	Table string
	// Retain is how many checkpoints per job are kept; at least 1.
	Retain int
	// PartSize is the largest body a head or part item holds; zero means
	// DefaultPartSize. Tests lower it.
	PartSize int

	client   dynamoAPI
	endpoint string // for messages

	mu     sync.Mutex
	exists bool // the table was found or made ACTIVE
}

// DefaultPartSize leaves room under DynamoDB's 400 KB item limit for the
// key and the head's other attributes.
const DefaultPartSize = 350 << 10

// NewDynamoStore returns a store on table, with credentials from the AWS
// default chain. It makes no call: an unreachable endpoint or missing
// credentials show at the first List, Load or Save, naming the table and
// endpoint.
func NewDynamoStore(ctx context.Context, table string, where DynamoDB, retain int) (*DynamoStore, error) {
	if err := CheckTableName(table); err != nil {
		return nil, err
	}
	var opts []func(*config.LoadOptions) error
	if where.Region != "" {
		opts = append(opts, config.WithRegion(where.Region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("loading the AWS configuration for DynamoDB checkpoint table %q: %w", table, err)
	}
	if cfg.Region == "" {
		return nil, fmt.Errorf("DynamoDB checkpoint table %q: no region: set 'state.checkpoints.dynamodb.region' (or AWS_REGION)", table)
	}
	client := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		if where.Endpoint != "" {
			o.BaseEndpoint = aws.String(where.Endpoint)
		}
	})
	endpoint := where.Endpoint
	if endpoint == "" {
		endpoint = "the public endpoint of " + cfg.Region
	}
	return &DynamoStore{Table: table, Retain: retain, client: client, endpoint: endpoint}, nil
}

// CheckTableName returns an error unless name is a DynamoDB table name: 3 to
// 255 letters, digits, '_', '-' and '.'.
func CheckTableName(name string) error {
	ok := len(name) >= 3 && len(name) <= 255
	for _, r := range name {
		ok = ok && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.')
	}
	if !ok {
		return fmt.Errorf("DynamoDB table name %q is not 3 to 255 letters, digits, '_', '-' and '.'", name)
	}
	return nil
}

// Item keys and attribute names.
const (
	attrJob    = "job"
	attrItem   = "item"
	fenceItem  = "fence"
	headPrefix = "chk#"
	partPrefix = "part#"
)

func headKey(id int64) string             { return fmt.Sprintf("%s%019d", headPrefix, id) }
func partPrefixOf(id int64) string        { return fmt.Sprintf("%s%019d#", partPrefix, id) }
func partKey(id int64, n int) string      { return fmt.Sprintf("%s%05d", partPrefixOf(id), n) }
func attrS(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func attrN(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}
func key(job, item string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{attrJob: attrS(job), attrItem: attrS(item)}
}

// Ref returns the printable reference of checkpoint id of job in table,
// which Load (and LoadRef) read back.
func Ref(table, job string, id int64) string {
	return fmt.Sprintf("%s%s/%s/%d", DynamoScheme, table, job, id)
}

// parseRef splits a dynamodb://TABLE/JOB/ID reference.
func parseRef(ref string) (table, job string, id int64, err error) {
	rest, ok := strings.CutPrefix(ref, DynamoScheme)
	parts := strings.Split(rest, "/")
	if ok && len(parts) == 3 {
		id, err = strconv.ParseInt(parts[2], 10, 64)
		if err == nil && CheckTableName(parts[0]) == nil && checkJobName(parts[1]) == nil {
			return parts[0], parts[1], id, nil
		}
	}
	return "", "", 0, fmt.Errorf("%q is not a DynamoDB checkpoint reference: write dynamodb://TABLE/JOB/ID, as `runner checkpoints list` prints it", ref)
}

// where names the table and endpoint, for messages.
func (d *DynamoStore) where(table string) string {
	return fmt.Sprintf("DynamoDB table %q at %s", table, d.endpoint)
}

// Save claims cp's ID on the job's fence, then writes its parts and head.
func (d *DynamoStore) Save(ctx context.Context, cp *Checkpoint) error {
	if err := checkJobName(cp.Job); err != nil {
		return fmt.Errorf("saving checkpoint %d: %w", cp.ID, err)
	}
	body, crc, err := encode(cp)
	if err != nil {
		return err
	}
	if err := d.ensureTable(ctx); err != nil {
		return fmt.Errorf("saving checkpoint %d of job %q: %w", cp.ID, cp.Job, err)
	}
	if err := d.claim(ctx, cp); err != nil {
		return err
	}
	parts := chunk(body, d.partSize())
	if err := d.putParts(ctx, cp, parts); err != nil {
		return err
	}
	head := key(cp.Job, headKey(cp.ID))
	head["id"], head["epoch"], head["size"] = attrN(cp.ID), attrN(cp.Epoch), attrN(int64(len(body)))
	head["crc"], head["parts"] = attrN(int64(crc)), attrN(int64(len(parts)))
	head["taken"] = attrS(cp.Taken.UTC().Format(time.RFC3339Nano))
	head["body"] = &types.AttributeValueMemberB{Value: parts[0]}
	if _, err := d.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &d.Table, Item: head}); err != nil {
		return fmt.Errorf("saving checkpoint %d of job %q in %s: %w", cp.ID, cp.Job, d.where(d.Table), err)
	}
	return d.prune(ctx, cp.Job)
}

func (d *DynamoStore) partSize() int {
	if d.PartSize <= 0 {
		return DefaultPartSize
	}
	return d.PartSize
}

// putParts writes every part of cp but the first, which its head holds.
func (d *DynamoStore) putParts(ctx context.Context, cp *Checkpoint, parts [][]byte) error {
	for i := 1; i < len(parts); i++ {
		item := key(cp.Job, partKey(cp.ID, i))
		item["body"] = &types.AttributeValueMemberB{Value: parts[i]}
		if _, err := d.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &d.Table, Item: item}); err != nil {
			return fmt.Errorf("saving part %d of %d of checkpoint %d of job %q in %s: %w", i+1, len(parts), cp.ID, cp.Job, d.where(d.Table), err)
		}
	}
	return nil
}

// chunk splits body into parts of at most size bytes; an empty body is
// one empty part.
func chunk(body []byte, size int) [][]byte {
	parts := [][]byte{}
	for len(body) > size {
		parts = append(parts, body[:size])
		body = body[size:]
	}
	return append(parts, body)
}

// claim moves the job's fence to cp, or returns the ErrStale the fence
// gives when another writer is ahead.
func (d *DynamoStore) claim(ctx context.Context, cp *Checkpoint) error {
	_, err := d.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        &d.Table,
		Key:              key(cp.Job, fenceItem),
		UpdateExpression: aws.String("SET #newest = :id, #epoch = :epoch"),
		// Each side on its own: NewEpoch may have set the epoch before the
		// job's first checkpoint, and fences that one too.
		ConditionExpression:       aws.String("(attribute_not_exists(#newest) OR #newest < :id) AND (attribute_not_exists(#epoch) OR #epoch <= :epoch)"),
		ExpressionAttributeNames:  map[string]string{"#newest": "newest", "#epoch": "epoch"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":id": attrN(cp.ID), ":epoch": attrN(cp.Epoch)},
	})
	var refused *types.ConditionalCheckFailedException
	if !errors.As(err, &refused) {
		if err != nil {
			return fmt.Errorf("claiming checkpoint %d of job %q in %s: %w", cp.ID, cp.Job, d.where(d.Table), err)
		}
		return nil
	}
	out, err := d.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: &d.Table, Key: key(cp.Job, fenceItem), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return fmt.Errorf("%w: checkpoint %d of job %q (reading the fence in %s: %v)", ErrStale, cp.ID, cp.Job, d.where(d.Table), err)
	}
	f := Fence{Newest: num(out.Item, "newest"), Epoch: num(out.Item, "epoch")}
	if err := f.Admit(cp); err != nil {
		return err
	}
	// The fence moved between the refusal and the read: still refused.
	return fmt.Errorf("%w: checkpoint %d of job %q: another writer moved the job's fence to checkpoint %d, epoch %d", ErrStale, cp.ID, cp.Job, f.Newest, f.Epoch)
}

// NewEpoch raises the job's fence epoch by one, atomically, and returns
// it: from then on a writer holding an older epoch is refused (ErrStale),
// even before the first checkpoint saved under the new one.
func (d *DynamoStore) NewEpoch(ctx context.Context, job string) (int64, error) {
	if err := checkJobName(job); err != nil {
		return 0, fmt.Errorf("taking a checkpoint epoch: %w", err)
	}
	if err := d.ensureTable(ctx); err != nil {
		return 0, fmt.Errorf("taking a checkpoint epoch for job %q: %w", job, err)
	}
	out, err := d.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &d.Table,
		Key:                       key(job, fenceItem),
		UpdateExpression:          aws.String("ADD #epoch :one"),
		ExpressionAttributeNames:  map[string]string{"#epoch": "epoch"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": attrN(1)},
		ReturnValues:              types.ReturnValueUpdatedNew,
	})
	if err != nil {
		return 0, fmt.Errorf("taking a checkpoint epoch for job %q in %s: %w", job, d.where(d.Table), err)
	}
	return num(out.Attributes, "epoch"), nil
}

// num reads a number attribute; 0 when it is missing or not a number.
func num(item map[string]types.AttributeValue, name string) int64 {
	if v, ok := item[name].(*types.AttributeValueMemberN); ok {
		i, _ := strconv.ParseInt(v.Value, 10, 64)
		return i
	}
	return 0
}

// ensureTable finds the table, or creates it, and waits until it is ACTIVE.
// Another node creating it at the same time is fine.
func (d *DynamoStore) ensureTable(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.exists {
		return nil
	}
	desc, err := d.client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &d.Table})
	var missing *types.ResourceNotFoundException
	switch {
	case errors.As(err, &missing):
		if err := d.createTable(ctx); err != nil {
			return err
		}
	case err != nil:
		return fmt.Errorf("looking for %s: %w", d.where(d.Table), err)
	case desc.Table.TableStatus == types.TableStatusActive:
		d.exists = true
		return nil
	}
	waiter := dynamodb.NewTableExistsWaiter(d.client, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 100*time.Millisecond, 5*time.Second
	})
	if err := waiter.Wait(ctx, &dynamodb.DescribeTableInput{TableName: &d.Table}, 5*time.Minute); err != nil {
		return fmt.Errorf("waiting for %s to become ACTIVE: %w", d.where(d.Table), err)
	}
	d.exists = true
	return nil
}

func (d *DynamoStore) createTable(ctx context.Context) error {
	_, err := d.client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: &d.Table,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String(attrJob), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String(attrItem), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(attrJob), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String(attrItem), KeyType: types.KeyTypeRange},
		},
		BillingMode: types.BillingModePayPerRequest,
	})
	var inUse *types.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		return fmt.Errorf("creating %s: %w", d.where(d.Table), err)
	}
	return nil
}

// query returns every item of job whose key starts with prefix, in key
// order (reversed when newestFirst), with only the attributes in project
// when there are any. A missing table has no items.
func (d *DynamoStore) query(ctx context.Context, table, job, prefix string, newestFirst bool, project ...string) ([]map[string]types.AttributeValue, error) {
	in := &dynamodb.QueryInput{
		TableName:                 &table,
		KeyConditionExpression:    aws.String("#job = :job AND begins_with(#item, :prefix)"),
		ExpressionAttributeNames:  map[string]string{"#job": attrJob, "#item": attrItem},
		ExpressionAttributeValues: map[string]types.AttributeValue{":job": attrS(job), ":prefix": attrS(prefix)},
		ScanIndexForward:          aws.Bool(!newestFirst),
		ConsistentRead:            aws.Bool(true),
	}
	var placeholders []string
	for i, attr := range project {
		p := fmt.Sprintf("#p%d", i)
		in.ExpressionAttributeNames[p] = attr
		placeholders = append(placeholders, p)
	}
	if len(placeholders) > 0 {
		in.ProjectionExpression = aws.String(strings.Join(placeholders, ", "))
	}
	var items []map[string]types.AttributeValue
	for {
		out, err := d.client.Query(ctx, in)
		var missing *types.ResourceNotFoundException
		if errors.As(err, &missing) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading checkpoints of job %q from %s: %w", job, d.where(table), err)
		}
		items = append(items, out.Items...)
		if len(out.LastEvaluatedKey) == 0 {
			return items, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// List returns the job's checkpoint heads, newest first.
func (d *DynamoStore) List(ctx context.Context, job string) ([]Entry, error) {
	if err := checkJobName(job); err != nil {
		return nil, fmt.Errorf("listing checkpoints: %w", err)
	}
	heads, err := d.query(ctx, d.Table, job, headPrefix, true, "id", "taken", "size")
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(heads))
	for _, h := range heads {
		e := Entry{Job: job, ID: num(h, "id"), Size: num(h, "size")}
		if t, ok := h["taken"].(*types.AttributeValueMemberS); ok {
			e.Taken, _ = time.Parse(time.RFC3339Nano, t.Value)
		}
		e.Ref = Ref(d.Table, job, e.ID)
		out = append(out, e)
	}
	return out, nil
}

// Load reads one checkpoint by its dynamodb://TABLE/JOB/ID reference, from
// TABLE through this store's endpoint.
func (d *DynamoStore) Load(ctx context.Context, ref string) (*Checkpoint, error) {
	table, job, id, err := parseRef(ref)
	if err != nil {
		return nil, err
	}
	out, err := d.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: key(job, headKey(id)), ConsistentRead: aws.Bool(true)})
	var missing *types.ResourceNotFoundException
	switch {
	case errors.As(err, &missing) || err == nil && out.Item == nil:
		return nil, fmt.Errorf("checkpoint %s does not exist in %s (see `runner checkpoints list`)", ref, d.where(table))
	case err != nil:
		return nil, fmt.Errorf("reading checkpoint %s from %s: %w", ref, d.where(table), err)
	}
	body := bytesOf(out.Item)
	if want := num(out.Item, "parts"); want > 1 {
		parts, err := d.query(ctx, table, job, partPrefixOf(id), false)
		if err != nil {
			return nil, err
		}
		if int64(len(parts))+1 != want {
			return nil, fmt.Errorf("checkpoint %s is corrupt: it has %d parts of %d", ref, len(parts)+1, want)
		}
		for _, p := range parts {
			body = append(body, bytesOf(p)...)
		}
	}
	return decode(ref, body, uint32(num(out.Item, "crc")))
}

func bytesOf(item map[string]types.AttributeValue) []byte {
	if b, ok := item["body"].(*types.AttributeValueMemberB); ok {
		return append([]byte(nil), b.Value...)
	}
	return nil
}

// Latest returns the newest readable checkpoint of job.
func (d *DynamoStore) Latest(ctx context.Context, job string) (*Checkpoint, []Problem, error) {
	return latest(ctx, d, job)
}

// prune drops the job's oldest checkpoints beyond Retain: the head first,
// so that a reader never finds a head without its parts.
func (d *DynamoStore) prune(ctx context.Context, job string) error {
	entries, err := d.List(ctx, job)
	if err != nil {
		return err
	}
	for _, e := range entries[min(max(d.Retain, 1), len(entries)):] {
		keys := []string{headKey(e.ID)}
		parts, err := d.query(ctx, d.Table, job, partPrefixOf(e.ID), false, attrItem)
		if err != nil {
			return err
		}
		for _, p := range parts {
			if v, ok := p[attrItem].(*types.AttributeValueMemberS); ok {
				keys = append(keys, v.Value)
			}
		}
		for _, k := range keys {
			if _, err := d.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &d.Table, Key: key(job, k)}); err != nil {
				return fmt.Errorf("removing old checkpoint %s from %s: %w", e.Ref, d.where(d.Table), err)
			}
		}
	}
	return nil
}

var (
	_ Store  = (*DynamoStore)(nil)
	_ Epochs = (*DynamoStore)(nil)
)
