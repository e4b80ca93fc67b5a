package jobfile_test

import (
	"reflect"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/diag"
	"github.com/shardflow/shardflow/jobfile"
	"github.com/shardflow/shardflow/types"
)

var posType = reflect.TypeOf(diag.Pos{})

// stripPos zeroes every diag.Pos inside the tree rooted at v (a pointer or
// an interface holding pointers), so that trees parsed from different text
// compare equal when only positions differ.
func stripPos(v any) {
	stripValue(reflect.ValueOf(v))
}

func stripValue(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			stripValue(v.Elem())
		}
	case reflect.Struct:
		if v.Type() == posType {
			if v.CanSet() {
				v.Set(reflect.Zero(posType))
			}
			return
		}
		for i := 0; i < v.NumField(); i++ {
			stripValue(v.Field(i))
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			stripValue(v.Index(i))
		}
	}
}

// parseOK parses src and fails the spec on any diagnostic.
func parseOK(src string) *jobfile.File {
	GinkgoHelper()
	f, diags := jobfile.Parse("job.sql", []byte(src))
	Expect(diags).To(BeEmpty(), "diagnostics:\n%s", render(diags))
	return f
}

// exprOK parses an expression and fails the spec on any diagnostic.
func exprOK(src string) jobfile.Expr {
	GinkgoHelper()
	e, diags := jobfile.ParseExpr("expr", []byte(src))
	Expect(diags).To(BeEmpty(), "diagnostics:\n%s", render(diags))
	Expect(e).NotTo(BeNil())
	return e
}

// typeOK parses a type and fails the spec on any diagnostic.
func typeOK(src string) types.Type {
	GinkgoHelper()
	t, diags := jobfile.ParseType("type", []byte(src))
	Expect(diags).To(BeEmpty(), "diagnostics:\n%s", render(diags))
	return t
}

func render(diags diag.List) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(d.Error())
		b.WriteByte('\n')
	}
	return b.String()
}

// onlyTable parses src and returns its single CREATE TABLE.
func onlyTable(src string) *jobfile.CreateTable {
	GinkgoHelper()
	f := parseOK(src)
	Expect(f.Statements).To(HaveLen(1))
	ct, ok := f.Statements[0].(*jobfile.CreateTable)
	Expect(ok).To(BeTrue(), "statement is %T", f.Statements[0])
	return ct
}

// onlyInsert parses src and returns its single INSERT.
func onlyInsert(src string) *jobfile.Insert {
	GinkgoHelper()
	f := parseOK(src)
	Expect(f.Statements).To(HaveLen(1))
	ins, ok := f.Statements[0].(*jobfile.Insert)
	Expect(ok).To(BeTrue(), "statement is %T", f.Statements[0])
	return ins
}

func col(name string) *jobfile.ColumnRef {
	return &jobfile.ColumnRef{Name: jobfile.Ident{Name: name}}
}

func intLit(text string) *jobfile.Literal {
	return &jobfile.Literal{Kind: jobfile.LitInteger, Text: text}
}

func strLit(text string) *jobfile.Literal {
	return &jobfile.Literal{Kind: jobfile.LitString, Text: text}
}

func bin(op string, x, y jobfile.Expr) *jobfile.Binary {
	return &jobfile.Binary{Op: op, X: x, Y: y}
}

// sameTree reports whether two expressions are equal with positions ignored.
func sameTree(a, b jobfile.Expr) bool {
	stripPos(&a)
	stripPos(&b)
	return reflect.DeepEqual(a, b)
}

// equalTree is a Gomega matcher for sameTree.
func equalTree(want jobfile.Expr) OmegaMatcher {
	return WithTransform(func(got jobfile.Expr) jobfile.Expr {
		stripPos(&got)
		return got
	}, Equal(want))
}
