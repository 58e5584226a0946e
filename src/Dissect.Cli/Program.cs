using Dissect.Cli;

return await App.RunAsync(args);
