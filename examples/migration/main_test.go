package main

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"testing"
	"time"
)

func TestMigration(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, &out, 1000); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	t.Log("\n" + out.String())
	re := regexp.MustCompile(`version (\d+), (.*): 1000 checkouts: monolith (\d+), payments-v2 (\d+)`)
	steps := re.FindAllStringSubmatch(out.String(), -1)
	if len(steps) != 4 {
		t.Fatalf("%d steps, want 4", len(steps))
	}
	v2 := func(i int) int { n, _ := strconv.Atoi(steps[i][4]); return n }
	if v2(0) != 0 || v2(3) != 0 {
		t.Errorf("payments-v2 took %d checkouts before and %d after the rollback, want 0", v2(0), v2(3))
	}
	if n := v2(1); n < 60 || n > 140 {
		t.Errorf("at 10%%: %d of 1000 on payments-v2", n)
	}
	if n := v2(2); n < 430 || n > 570 || n < v2(1) {
		t.Errorf("at 50%%: %d of 1000 on payments-v2 (10%%: %d)", n, v2(1))
	}
	if steps[3][1] != "4" {
		t.Errorf("the rollback is version %s, want 4", steps[3][1])
	}
}
