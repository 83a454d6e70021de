// A kube-scheduler with the ResourcePolicy plugin registered, built against the pinned
// Kubernetes release (out of tree, as kubernetes-sigs/scheduler-plugins builds its scheduler).
package main

import (
	"os"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	"k8s.io/kubernetes/cmd/kube-scheduler/app"
)

var metav1Patch = metav1.PatchOptions{FieldManager: "resourcepolicy-scheduler"}

func main() {
	command := app.NewSchedulerCommand(app.WithPlugin(Name, New))
	os.Exit(cli.Run(command))
}
