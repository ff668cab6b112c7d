package ruleset

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"

	"github.com/go-playground/validator/v10"
)

// Character sets of names in flag files, documented in docs/flag-files.md.
var (
	// keyPattern is for flag, segment, variation and environment keys:
	// lower case, safe in URLs, file names and every SDK language.
	keyPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,127}$`)
	// tagPattern also allows upper case, ':' and '/' ("team:payments").
	tagPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$`)
	// attributePattern is for context attribute names ("email", "app.version").
	attributePattern = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.:/-]{0,127}$`)
)

// fileOperators are the operators a flag file may name.
var fileOperators = []Operator{
	OpEquals, OpNotEquals, OpIn, OpNotIn, OpContains, OpStartsWith, OpEndsWith, OpMatches,
	OpLess, OpLessEq, OpGreater, OpGreaterEq,
	OpSemverEq, OpSemverLess, OpSemverLessEq, OpSemverGt, OpSemverGtEq,
	OpBefore, OpAfter, OpInSegment, OpNotInSegment, OpExists,
}

// newSpecValidator returns a validator for the spec types, naming fields as
// flag files do. A new one per load keeps the package free of shared state;
// it costs microseconds.
func newSpecValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" {
			return f.Name
		}
		return name
	})
	match := func(re *regexp.Regexp) validator.Func {
		return func(fl validator.FieldLevel) bool { return re.MatchString(fl.Field().String()) }
	}
	// Registration fails only for an empty tag name or a nil func.
	_ = v.RegisterValidation("cairnkey", match(keyPattern))
	_ = v.RegisterValidation("cairntag", match(tagPattern))
	_ = v.RegisterValidation("cairnattr", match(attributePattern))
	_ = v.RegisterValidation("cairnop", func(fl validator.FieldLevel) bool {
		return containsOperator(Operator(fl.Field().String()))
	})
	return v
}

func containsOperator(op Operator) bool {
	for _, o := range fileOperators {
		if o == op {
			return true
		}
	}
	return false
}

// checkStruct runs the struct rules of one spec value (not of the specs
// nested in it, which are checked on their own with their own paths) and
// adds a problem for each failure, located through at. Problems at paths
// that already failed to decode are not repeated.
func (d *nodeDecoder) checkStruct(v *validator.Validate, s any, path string, at fieldAt) {
	err := v.Struct(s)
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		if err != nil {
			d.addAt(at.loc(""), path, "%v", err)
		}
		return
	}
	for _, fe := range verrs {
		field := fe.Field()
		p := joinFieldPath(path, field)
		if d.decodeFailed(p) {
			continue
		}
		l, ok := at[field]
		if !ok {
			base, _, _ := strings.Cut(field, "[")
			l = at.loc(base)
		}
		d.addAt(l, p, "%s", ruleMessage(fe))
	}
}

// decodeFailed reports whether a problem was already added at path.
func (d *nodeDecoder) decodeFailed(path string) bool { return d.exact[path] }

// ruleMessage says in words what a failed validate tag asks for.
func ruleMessage(fe validator.FieldError) string {
	val := fmt.Sprint(fe.Value())
	isList := fe.Kind() == reflect.Slice
	switch fe.Tag() {
	case "required":
		return "is required"
	case "min":
		if isList {
			return fmt.Sprintf("needs at least %s entries", fe.Param())
		}
		return fmt.Sprintf("must be at least %s", fe.Param())
	case "max":
		if isList {
			return fmt.Sprintf("has more than %s entries", fe.Param())
		}
		return fmt.Sprintf("is longer than %s characters", fe.Param())
	case "gte":
		return fmt.Sprintf("must be at least %s", fe.Param())
	case "lte":
		return fmt.Sprintf("must be at most %s", fe.Param())
	case "unique":
		return "lists the same entry twice"
	case "oneof":
		return fmt.Sprintf("%q is not one of: %s", clip(val), strings.Join(strings.Fields(fe.Param()), ", "))
	case "cairnkey":
		return fmt.Sprintf("%q is not a valid key: use 1 to 128 of a-z, 0-9, '.', '_', '-', starting with a letter or digit", clip(val))
	case "cairntag":
		return fmt.Sprintf("%q is not a valid tag: use 1 to 64 of A-Z, a-z, 0-9, '.', '_', ':', '/', '-', starting with a letter or digit", clip(val))
	case "cairnattr":
		return fmt.Sprintf("%q is not a valid attribute name: use 1 to 128 of A-Z, a-z, 0-9, '_', '.', ':', '/', '-'", clip(val))
	case "cairnop":
		msg := fmt.Sprintf("unknown operator %q", clip(val))
		names := make([]string, len(fileOperators))
		for i, o := range fileOperators {
			names[i] = string(o)
		}
		if s := closest(val, names); s != "" {
			return msg + fmt.Sprintf(" (did you mean %q?)", s)
		}
		return msg + " (have: " + strings.Join(names, ", ") + ")"
	}
	return fmt.Sprintf("fails the %q rule", fe.Tag())
}
