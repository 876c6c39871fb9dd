"""The e-mall (电子卖场): catalogue buying below the tender threshold, into the closed loop."""
