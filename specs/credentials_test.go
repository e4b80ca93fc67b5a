package specs_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/kinesislocal"
)

// credsRun is a runner process running a job on an authenticating endpoint.
type credsRun struct {
	cmd      *exec.Cmd
	mu       sync.Mutex
	lines    []string
	stderr   bytes.Buffer
	done     chan struct{}
	exitCode int
}

// credsJob is a job that writes n rows (n = 0: 4 a second, unbounded) from
// datagen to stream through the kinesis table k, whose credentials are
// creds, and reads them back from k to print.
func credsJob(srv *kinesislocal.Server, stream string, n int, creds ...string) string {
	gen := "'number-of-rows' = '" + fmt.Sprint(n) + "'"
	if n == 0 {
		gen = "'rows-per-second' = '4'"
	}
	var with strings.Builder
	for i := 0; i < len(creds); i += 2 {
		fmt.Fprintf(&with, ",\n  '%s' = '%s'", creds[i], creds[i+1])
	}
	return fmt.Sprintf(`
CREATE TABLE gen (id BIGINT) WITH ('connector' = 'datagen', %s,
  'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '1000000');
CREATE TABLE k (id BIGINT) WITH (
  'connector' = 'kinesis', 'stream' = '%s', 'format' = 'json',
  'aws.endpoint' = '%s', 'aws.region' = 'us-east-1',
  'scan.stream.initpos' = 'TRIM_HORIZON', 'scan.shard.getrecords.intervalmillis' = '50',
  'sink.flush-buffer.timeout' = '50'%s);
CREATE TABLE p (id BIGINT) WITH ('connector' = 'print');
INSERT INTO k SELECT id FROM gen;
INSERT INTO p SELECT id FROM k;
`, gen, stream, srv.URL(), with.String())
}

// startCredsRun runs `runner run` on text with env added to an environment
// free of AWS variables; it is killed when the spec ends.
func startCredsRun(text string, env []string, args ...string) *credsRun {
	GinkgoHelper()
	path := filepath.Join(GinkgoT().TempDir(), "job.sql")
	Expect(os.WriteFile(path, []byte(text), 0o600)).To(Succeed())
	cmd := exec.Command(runnerBinary(), append([]string{"run", "--quiet", path}, args...)...)
	cmd.Dir = ".."
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	// No shared files of the machine running the specs.
	home := GinkgoT().TempDir()
	cmd.Env = append(cmd.Env, "HOME="+home, "AWS_CONFIG_FILE="+filepath.Join(home, "none"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(home, "none"), "AWS_EC2_METADATA_DISABLED=true")
	cmd.Env = append(cmd.Env, env...)
	r := &credsRun{cmd: cmd, done: make(chan struct{})}
	out, err := cmd.StdoutPipe()
	Expect(err).NotTo(HaveOccurred())
	cmd.Stderr = io.MultiWriter(&lockedWriter{mu: &r.mu, w: &r.stderr}, GinkgoWriter)
	Expect(cmd.Start()).To(Succeed())
	go func() {
		defer close(r.done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			r.mu.Lock()
			r.lines = append(r.lines, sc.Text())
			r.mu.Unlock()
		}
		err := cmd.Wait()
		if ee, ok := err.(*exec.ExitError); ok {
			r.exitCode = ee.ExitCode()
		}
	}()
	DeferCleanup(func() {
		_ = cmd.Process.Kill()
		<-r.done
	})
	return r
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (r *credsRun) output() ([]string, string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.lines...), r.stderr.String()
}

// waitRows waits until the job printed n rows; the job ending ends the wait.
func (r *credsRun) waitRows(n int, within time.Duration) {
	GinkgoHelper()
	Eventually(func(g Gomega) {
		lines, stderr := r.output()
		select {
		case <-r.done:
			g.Expect(lines).To(HaveLen(n), "the job ended early: %s", stderr)
			return
		default:
		}
		g.Expect(len(lines)).To(BeNumerically(">=", n), stderr)
	}).WithTimeout(within).WithPolling(50 * time.Millisecond).Should(Succeed())
}

// stop stops the job with SIGINT and expects it to end with exit 0.
func (r *credsRun) stop() {
	GinkgoHelper()
	Expect(r.cmd.Process.Signal(syscall.SIGINT)).To(Succeed())
	Eventually(r.done).WithTimeout(30 * time.Second).Should(BeClosed())
	_, stderr := r.output()
	Expect(r.exitCode).To(Equal(0), stderr)
}

// failsWith expects the job to end by itself with exit 1 within 10 s,
// saying want on one line that names the table k.
func (r *credsRun) failsWith(want ...string) {
	GinkgoHelper()
	Eventually(r.done).WithTimeout(10*time.Second).Should(BeClosed(), "the job still runs")
	_, stderr := r.output()
	Expect(r.exitCode).To(Equal(1), stderr)
	found := false
	for _, line := range strings.Split(stderr, "\n") {
		ok := strings.Contains(line, "`k`")
		for _, w := range want {
			ok = ok && strings.Contains(line, w)
		}
		found = found || ok
	}
	Expect(found).To(BeTrue(), "want one line naming table `k` and %q in:\n%s", want, stderr)
	Expect(stderr).NotTo(ContainSubstring(authSecret))
}

// credsStream creates a one-shard stream on srv with the long-term key.
func credsStream(ctx context.Context, srv *kinesislocal.Server) string {
	GinkgoHelper()
	return createStream(ctx, authBackend(srv, false, static(authKey, authSecret)), 1)
}

func writeFile(name, text string) string {
	GinkgoHelper()
	path := filepath.Join(GinkgoT().TempDir(), name)
	Expect(os.WriteFile(path, []byte(text), 0o600)).To(Succeed())
	return path
}

var _ = Describe("credentials providers against an endpoint that checks signatures", Label("local", "local-only", "auth"), func() {
	const rows = 10
	var (
		srv    *kinesislocal.Server
		stream string
		sts    string
	)
	BeforeEach(func(ctx SpecContext) {
		srv = startAuthEndpoint(false, 0)
		stream = credsStream(ctx, srv)
		sts = "AWS_ENDPOINT_URL_STS=" + srv.URL()
	})

	moves := func(env []string, args []string, creds ...string) {
		GinkgoHelper()
		r := startCredsRun(credsJob(srv, stream, rows, creds...), env, args...)
		r.waitRows(rows, 30*time.Second)
		r.stop()
	}

	It("ENV_VAR reads AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY and moves rows", func() {
		moves([]string{"AWS_ACCESS_KEY_ID=" + authKey, "AWS_SECRET_ACCESS_KEY=" + authSecret}, nil,
			"aws.credentials.provider", "ENV_VAR")
	})

	It("SYS_PROP reads runner run -D aws.accessKeyId and aws.secretKey and moves rows", func() {
		moves(nil, []string{"-D", "aws.accessKeyId=" + authKey, "-D", "aws.secretKey=" + authSecret},
			"aws.credentials.provider", "SYS_PROP")
	})

	It("PROFILE reads a named profile of a credentials file and moves rows", func() {
		file := writeFile("credentials", "[default]\naws_access_key_id = AKIAWRONG\naws_secret_access_key = wrong\n\n[spec]\naws_access_key_id = "+authKey+"\naws_secret_access_key = "+authSecret+"\n")
		moves(nil, nil, "aws.credentials.provider", "PROFILE", "aws.credentials.profile.path", file, "aws.credentials.profile.name", "spec")
	})

	It("PROFILE without options reads the default profile of AWS_SHARED_CREDENTIALS_FILE, not AWS_ACCESS_KEY_ID", func() {
		file := writeFile("credentials", "[default]\naws_access_key_id = "+authKey+"\naws_secret_access_key = "+authSecret+"\n")
		moves([]string{"AWS_SHARED_CREDENTIALS_FILE=" + file, "AWS_ACCESS_KEY_ID=AKIAWRONG", "AWS_SECRET_ACCESS_KEY=wrong"}, nil,
			"aws.credentials.provider", "PROFILE")
	})

	It("PROFILE follows role_arn and source_profile through STS, and credential_process", func() {
		file := writeFile("credentials", "[base]\naws_access_key_id = "+authKey+"\naws_secret_access_key = "+authSecret+"\n\n"+
			"[reader]\nrole_arn = "+authReaderRole+"\nsource_profile = base\n\n"+
			"[proc]\ncredential_process = sh -c 'echo {\\\"Version\\\": 1, \\\"AccessKeyId\\\": \\\""+authKey+"\\\", \\\"SecretAccessKey\\\": \\\""+authSecret+"\\\"}'\n")
		moves([]string{sts}, nil, "aws.credentials.provider", "PROFILE", "aws.credentials.profile.path", file, "aws.credentials.profile.name", "reader")
		moves([]string{sts}, nil, "aws.credentials.provider", "PROFILE", "aws.credentials.profile.path", file, "aws.credentials.profile.name", "proc")
	})

	It("ASSUME_ROLE chains through a nested ASSUME_ROLE with a BASIC base and an external id, and moves rows", func() {
		moves([]string{sts}, nil,
			"aws.credentials.provider", "ASSUME_ROLE",
			"aws.credentials.role.arn", authCrossRole,
			"aws.credentials.role.sessionName", "outer",
			"aws.credentials.role.externalId", authCrossExtID,
			"aws.credentials.role.provider", "ASSUME_ROLE",
			"aws.credentials.role.provider.role.arn", authReaderRole,
			"aws.credentials.role.provider.role.sessionName", "inner",
			"aws.credentials.role.provider.role.provider", "BASIC",
			"aws.credentials.role.provider.role.provider.basic.accesskeyid", authKey,
			"aws.credentials.role.provider.role.provider.basic.secretkey", authSecret)
	})

	It("WEB_IDENTITY_TOKEN reads its token file, or AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE, and moves rows", func() {
		token := writeFile("token", authPodToken)
		moves([]string{sts}, nil, "aws.credentials.provider", "WEB_IDENTITY_TOKEN",
			"aws.credentials.role.arn", authPodRole, "aws.credentials.webIdentityToken.file", token)
		moves([]string{sts, "AWS_ROLE_ARN=" + authPodRole, "AWS_WEB_IDENTITY_TOKEN_FILE=" + token}, nil,
			"aws.credentials.provider", "WEB_IDENTITY_TOKEN")
	})

	Describe("a failure ends the job with exit 1 within 10 s, naming the table, the provider and the cause", func() {
		fails := func(env []string, creds []string, want ...string) {
			GinkgoHelper()
			startCredsRun(credsJob(srv, stream, rows, creds...), env).failsWith(want...)
		}
		It("a wrong secret", func() {
			fails(nil, []string{"aws.credentials.provider", "BASIC", "aws.credentials.basic.accesskeyid", authKey,
				"aws.credentials.basic.secretkey", "not-the-secret"}, "the endpoint refused the credentials of provider BASIC: InvalidSignatureException")
		})
		It("missing variables of ENV_VAR", func() {
			fails(nil, []string{"aws.credentials.provider", "ENV_VAR"}, "ENV_VAR", "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY not set")
		})
		It("an unknown role", func() {
			fails([]string{sts}, []string{"aws.credentials.provider", "ASSUME_ROLE", "aws.credentials.role.arn", "arn:aws:iam::000000000000:role/not-listed",
				"aws.credentials.role.sessionName", "spec", "aws.credentials.role.provider", "BASIC",
				"aws.credentials.role.provider.basic.accesskeyid", authKey, "aws.credentials.role.provider.basic.secretkey", authSecret},
				"credentials provider ASSUME_ROLE (role arn:aws:iam::000000000000:role/not-listed) failed", "AccessDenied")
		})
		It("a wrong external id", func() {
			fails([]string{sts}, []string{"aws.credentials.provider", "ASSUME_ROLE", "aws.credentials.role.arn", authCrossRole,
				"aws.credentials.role.sessionName", "spec", "aws.credentials.role.externalId", "wrong", "aws.credentials.role.provider", "BASIC",
				"aws.credentials.role.provider.basic.accesskeyid", authKey, "aws.credentials.role.provider.basic.secretkey", authSecret},
				"credentials provider ASSUME_ROLE", "AccessDenied")
		})
		It("a token file that is gone", func() {
			token := writeFile("token", authPodToken)
			r := startCredsRun(credsJob(srv, stream, rows, "aws.credentials.provider", "WEB_IDENTITY_TOKEN",
				"aws.credentials.role.arn", authPodRole), []string{sts, "AWS_WEB_IDENTITY_TOKEN_FILE=" + token + ".gone"})
			r.failsWith("credentials provider WEB_IDENTITY_TOKEN", "no such file")
		})
		It("an unknown role of a table that is only written", func() {
			text := strings.Replace(credsJob(srv, stream, rows, "aws.credentials.provider", "ASSUME_ROLE",
				"aws.credentials.role.arn", "arn:aws:iam::000000000000:role/not-listed", "aws.credentials.role.sessionName", "spec",
				"aws.credentials.role.provider", "SYS_PROP"), "INSERT INTO p SELECT id FROM k;", "", 1)
			r := startCredsRun(text, []string{sts}, "-Daws.accessKeyId="+authKey, "-Daws.secretKey="+authSecret)
			r.failsWith("writing to stream", "credentials provider ASSUME_ROLE (role arn:aws:iam::000000000000:role/not-listed) failed", "AccessDenied")
		})
		It("a profile that does not exist", func() {
			file := writeFile("credentials", "[default]\naws_access_key_id = "+authKey+"\naws_secret_access_key = "+authSecret+"\n")
			fails(nil, []string{"aws.credentials.provider", "PROFILE", "aws.credentials.profile.path", file, "aws.credentials.profile.name", "nope"},
				"credentials provider PROFILE (profile nope)", "failed to get shared config profile")
		})
	})
})

var _ = Describe("temporary credentials are refreshed before they expire", Label("local", "local-only", "auth", "slow"), func() {
	// Flow: the endpoint issues credentials that live 15 s; the job reads and
	// writes for 60 s, four refreshes, with the log at warn: a call refused
	// as ExpiredTokenException would be retried (a warning) or end the job.
	It("a job on ASSUME_ROLE and WEB_IDENTITY_TOKEN credentials that live 15 s runs for 60 s without a failed call", func(ctx SpecContext) {
		srv := startAuthEndpoint(false, 15*time.Second)
		stream := credsStream(ctx, srv)
		token := writeFile("token", authPodToken)
		text := credsJob(srv, stream, 0,
			"aws.credentials.provider", "ASSUME_ROLE",
			"aws.credentials.role.arn", authCrossRole,
			"aws.credentials.role.sessionName", "outer",
			"aws.credentials.role.externalId", authCrossExtID,
			"aws.credentials.role.provider", "WEB_IDENTITY_TOKEN",
			"aws.credentials.role.provider.role.arn", authPodRole,
			"aws.credentials.role.provider.webIdentityToken.file", token)
		r := startCredsRun(text, []string{"AWS_ENDPOINT_URL_STS=" + srv.URL()}, "--log-level", "warn")
		r.waitRows(4, 10*time.Second)
		Consistently(func(g Gomega) {
			_, stderr := r.output()
			g.Expect(stderr).To(BeEmpty())
			g.Expect(r.done).NotTo(BeClosed())
		}).WithTimeout(60 * time.Second).WithPolling(time.Second).Should(Succeed())
		lines, _ := r.output()
		Expect(len(lines)).To(BeNumerically(">=", 150), "rows kept moving")
		r.stop()
	}, SpecTimeout(2*time.Minute))
})

var _ = Describe("a web identity token file is read again at each refresh", Label("local", "local-only", "auth"), func() {
	// Flow: credentials live 8 s and are refreshed 5 s before they expire;
	// the token file is replaced by one STS refuses after the first rows,
	// so the next refresh (about 3 s later) fails the job: the file was
	// read again, as a rotated Kubernetes token would be.
	It("a token replaced in the file is the one the next refresh uses", func(ctx SpecContext) {
		srv := startAuthEndpoint(false, 8*time.Second)
		stream := credsStream(ctx, srv)
		token := writeFile("token", authPodToken)
		r := startCredsRun(credsJob(srv, stream, 0, "aws.credentials.provider", "WEB_IDENTITY_TOKEN",
			"aws.credentials.role.arn", authPodRole, "aws.credentials.webIdentityToken.file", token),
			[]string{"AWS_ENDPOINT_URL_STS=" + srv.URL()})
		r.waitRows(2, 10*time.Second)
		Expect(os.WriteFile(token, []byte("rotated-token-sts-does-not-know"), 0o600)).To(Succeed())
		Eventually(r.done).WithTimeout(20 * time.Second).Should(BeClosed())
		_, stderr := r.output()
		Expect(r.exitCode).To(Equal(1))
		Expect(stderr).To(ContainSubstring("credentials provider WEB_IDENTITY_TOKEN (role " + authPodRole + ") failed"))
	}, SpecTimeout(time.Minute))
})

var _ = Describe("runner validate and the credentials options", func() {
	It("accepts the seven options of PROFILE, ASSUME_ROLE and WEB_IDENTITY_TOKEN", func() {
		profile := writeFile("credentials", "[dev]\naws_access_key_id = a\naws_secret_access_key = b\n")
		token := writeFile("token", "t")
		table := func(name string, kv ...string) string {
			var with strings.Builder
			for i := 0; i < len(kv); i += 2 {
				fmt.Fprintf(&with, ",\n  '%s' = '%s'", kv[i], kv[i+1])
			}
			return fmt.Sprintf("CREATE TABLE %s (id BIGINT) WITH ('connector' = 'kinesis', 'stream' = '%s', 'aws.region' = 'eu-west-1', 'format' = 'json'%s);\n", name, name, with.String())
		}
		text := "CREATE TABLE gen (id BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '1');\n" +
			table("a", "aws.credentials.provider", "PROFILE", "aws.credentials.profile.path", profile, "aws.credentials.profile.name", "dev") +
			table("b", "aws.credentials.provider", "ASSUME_ROLE", "aws.credentials.role.arn", authCrossRole, "aws.credentials.role.sessionName", "job",
				"aws.credentials.role.externalId", authCrossExtID, "aws.credentials.role.provider", "ENV_VAR") +
			table("c", "aws.credentials.provider", "WEB_IDENTITY_TOKEN", "aws.credentials.role.arn", authPodRole, "aws.credentials.webIdentityToken.file", token) +
			"INSERT INTO a SELECT id FROM gen;\nINSERT INTO b SELECT id FROM gen;\nINSERT INTO c SELECT id FROM gen;\n"
		res := runRunner("validate", writeFile("job.sql", text))
		Expect(res.code).To(Equal(0), res.stderr+res.stdout)
		Expect(res.stdout + res.stderr).NotTo(ContainSubstring("not supported yet"))
	})

	It("refuses a token file that does not exist, at its value, with what to do", func() {
		text := "CREATE TABLE gen (id BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '1');\n" +
			"CREATE TABLE k (id BIGINT) WITH ('connector' = 'kinesis', 'stream' = 's', 'aws.region' = 'eu-west-1', 'format' = 'json',\n" +
			"  'aws.credentials.provider' = 'WEB_IDENTITY_TOKEN', 'aws.credentials.webIdentityToken.file' = '/no/such/token');\n" +
			"INSERT INTO k SELECT id FROM gen;\n"
		res := runRunner("validate", writeFile("job.sql", text))
		Expect(res.code).To(Equal(1))
		Expect(res.stdout + res.stderr).To(MatchRegexp(`job\.sql:3:\d+: option 'aws.credentials.webIdentityToken.file' = '/no/such/token' names the web identity token file, but it does not exist \(give the path of an existing file`))
	})
})
