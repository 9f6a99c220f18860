using Keelson.Operator.Cli;

return await KeelsonCli.RunAsync(args, Console.Out, Console.Error, CancellationToken.None);
