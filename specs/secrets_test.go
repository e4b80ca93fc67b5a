package specs_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/diag"
	"github.com/shardflow/shardflow/jobfile"
	"github.com/shardflow/shardflow/options"
	"github.com/shardflow/shardflow/plan"
	"github.com/shardflow/shardflow/redact"
)

// Every secret in a bad job file starts with S3CR3T, so that a spec can find
// it and look for it in what the runner printed.
var secretRE = regexp.MustCompile(`S3CR3T[^'"\s,]*`)

// secretPieces returns the parts of a secret a leak would show: the secret
// and every run of five or more letters and digits in it, so that a leak of
// the secret's tail is caught too.
func secretPieces(secret string) []string {
	pieces := []string{secret}
	for _, p := range regexp.MustCompile(`[A-Za-z0-9]{5,}`).FindAllString(secret, -1) {
		pieces = append(pieces, p)
	}
	return pieces
}

// expectNoSecret fails when out shows any piece of the secrets.
func expectNoSecret(out string, secrets []string, what string) {
	GinkgoHelper()
	for _, s := range secrets {
		for _, p := range secretPieces(s) {
			Expect(out).NotTo(ContainSubstring(p), "%s shows %q of the secret %q:\n%s", what, p, s, out)
		}
	}
}

// The commands that load a job file and print its problems.
var jobCommands = [][]string{{"validate"}, {"run"}, {"checkpoints", "list"}}

var _ = Describe("secret option values in diagnostics (issue 11)", func() {
	files, err := filepath.Glob("testdata/bad/*.sql")
	if err != nil {
		panic(err)
	}
	var holding []string
	for _, path := range files {
		if src, err := os.ReadFile(path); err == nil && secretRE.Match(src) {
			holding = append(holding, path)
		}
	}
	if len(holding) < 10 {
		panic("want at least 10 bad job files holding an S3CR3T under specs/testdata/bad")
	}

	for _, path := range holding {
		// Flow: each command plans the job, finds it invalid and prints
		// every problem with its source line; none may show the secret,
		// whether the problem is on its line, about the secret option
		// itself, or a syntax error whose message quotes it.
		It("are masked in every excerpt and message of validate, run and checkpoints list: "+filepath.Base(path), func() {
			src, err := os.ReadFile(path)
			Expect(err).NotTo(HaveOccurred())
			secrets := secretRE.FindAllString(string(src), -1)
			for _, cmd := range jobCommands {
				r := runRunner(append(cmd, filepath.Join("specs", path))...)
				what := "runner " + strings.Join(cmd, " ")
				Expect(r.code).To(Equal(1), "%s refuses the job:\n%s", what, r.stderr)
				Expect(r.stderr).To(ContainSubstring("^\n"), "%s prints problems with their source lines", what)
				Expect(r.stderr).To(MatchRegexp(`(?m)^    .*\*{20,}`), "%s shows the secret's line, masked:\n%s", what, r.stderr)
				expectNoSecret(r.stdout+r.stderr, secrets, what)
			}
		})
	}

	It("hides a secret given with --set, in the problem's position and everywhere else", func() {
		secret := "S3CR3T-set-Bn7mKj6hGf5dXc4v"
		for _, job := range []string{"examples/quickstart.sql", "specs/testdata/bad/80-secret-option-ignored.sql"} {
			for _, cmd := range jobCommands {
				args := append(append([]string{}, cmd...), "--set", "aws.credentials.basic.secretkey="+secret, job)
				r := runRunner(args...)
				what := "runner " + strings.Join(cmd, " ") + " --set ... " + job
				Expect(r.code).To(Equal(1), "%s refuses the setting:\n%s", what, r.stderr)
				Expect(r.stderr).To(ContainSubstring("--set aws.credentials.basic.secretkey=******: unknown SET key"), what)
				expectNoSecret(r.stdout+r.stderr, []string{secret}, what)
			}
		}
	})

	It("hides a malformed --set that names a secret key", func() {
		secret := "S3CR3T-colon-Vf4cDe3xSw2z"
		for _, cmd := range jobCommands {
			args := append(append([]string{}, cmd...), "--set", "aws.credentials.basic.secretkey:"+secret, "examples/quickstart.sql")
			r := runRunner(args...)
			Expect(r.code).To(Equal(1), r.stderr)
			Expect(r.stderr).To(ContainSubstring("want key=value"))
			expectNoSecret(r.stdout+r.stderr, []string{secret}, "runner "+strings.Join(cmd, " "))
		}
	})

	It("hides the secret in every mangled spelling of a secret option", func() {
		// Flow: write the option with each key spelling, separator, value
		// shape and what follows it, in a WITH clause and in a SET; plan
		// the file and print its problems as the runner does.
		secret := "S3CR3TqZ8wLp4RtYx7MnBv2Kj9Hg"
		keys := []string{"'aws.credentials.basic.secretkey'", "'aws.credentials.role.provider.basic.secretkey'",
			"'aws.credentials.basic.secretKey'", "'aws.credentials.basic.secrtkey'", `"aws.credentials.basic.secretkey"`,
			"`aws.credentials.basic.secretkey`", "aws.credentials.basic.secretkey", "'aws.credentials.basic.secretkey '"}
		values := []string{"'%s'", "%s", `"%s"`, "`%s`", "'%s", "'%s' || 'X%s'", "'%s''q'", "'%s\x1b[31m'", "'%s\x00'",
			"12%s", "'%s' 'more'", "X'%s'"}
		seps := []string{" = ", "=", " ", " == ", " => ", " : ", " ,= "}
		tails := []string{",", "", " 'aws.regoin' = 'x',", " -- note", ")"}
		dir := GinkgoT().TempDir()
		n := 0
		for _, key := range keys {
			for _, value := range values {
				for _, sep := range seps {
					for _, tail := range tails {
						option := key + sep + strings.ReplaceAll(value, "%s", secret)
						for _, src := range []string{
							"CREATE TABLE t (a BIGINT) WITH (\n  'connector' = 'kinesis',\n  " + option + tail + "\n  'format' = 'json'\n);\n",
							"SET " + option + tail + ";\nCREATE TABLE t (a BIGINT) WITH ('connector' = 'blackhole');\n",
						} {
							path := filepath.Join(dir, "job.sql")
							Expect(os.WriteFile(path, []byte(src), 0o644)).To(Succeed())
							_, sources, err := plan.Load(path, nil)
							var le *diag.ListError
							Expect(errors.As(err, &le)).To(BeTrue(), src)
							var out bytes.Buffer
							redact.Printer(sources).Print(&out, le.List)
							expectNoSecret(out.String(), []string{secret}, src)
							n++
						}
					}
				}
			}
		}
		Expect(n).To(Equal(2 * len(keys) * len(values) * len(seps) * len(tails)))
	})

	It("masks every secret value the parser reads, in every job file of the specs and examples", func() {
		var paths []string
		for _, glob := range []string{"testdata/bad/*.sql", "testdata/good/*.sql", "../examples/*.sql"} {
			m, err := filepath.Glob(glob)
			Expect(err).NotTo(HaveOccurred())
			paths = append(paths, m...)
		}
		checked := 0
		for _, path := range paths {
			src, err := os.ReadFile(path)
			Expect(err).NotTo(HaveOccurred())
			spans, _ := redact.Find(src)
			f, _ := jobfile.Parse(path, src)
			for _, lit := range secretValues(f) {
				start := lit.ValuePos.Offset + 1 // after the opening quote
				for i := start; i < start+len(lit.Value); i++ {
					if src[i] == ' ' || src[i] == '\n' {
						continue
					}
					Expect(covered(spans, i)).To(BeTrue(), "%s: byte %d of the secret at %s is not masked", path, i-start, lit.ValuePos)
				}
				checked++
			}
		}
		Expect(checked).To(BeNumerically(">=", 8), "the fixtures hold secrets the parser reads")
	})
})

// secretValues returns the value literals of every secret option of f's
// WITH clauses and SET statements.
func secretValues(f *jobfile.File) []jobfile.StringLit {
	var out []jobfile.StringLit
	for _, st := range f.Statements {
		switch st := st.(type) {
		case *jobfile.CreateTable:
			for _, o := range st.Options {
				if options.IsSecret(o.Key.Value) && !strings.Contains(o.Value.Value, "'") {
					out = append(out, o.Value)
				}
			}
		case *jobfile.Set:
			if options.IsSecret(st.Key.Value) && !strings.Contains(st.Value.Value, "'") {
				out = append(out, st.Value)
			}
		}
	}
	return out
}

func covered(spans []diag.Span, i int) bool {
	for _, s := range spans {
		if s.Start <= i && i < s.End {
			return true
		}
	}
	return false
}
