"""The workshop sample: a fictional smuggling-network case across three seized devices,
generated deterministically (`qarina sample`), with its answer key (`expected.json`)."""
