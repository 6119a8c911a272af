"""What a program designer writes, before and as it is deployed: a process folder loaded and
checked (`folder`), its roles file (`roles`), its forms (`forms`, with messages in both languages),
every rule of `desa validate` (`lint/`), deployed versions (`registry`) and redeploy on save
(`reload`)."""
