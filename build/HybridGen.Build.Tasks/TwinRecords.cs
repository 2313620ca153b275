using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;

namespace HybridGen.Build.Tasks;

/// <summary>One [assembly: HybridTwin(name, location, function, source)] of a built assembly.</summary>
internal sealed record TwinRecord(string Name, string Location, string Function, string Source);

/// <summary>Reads the twins a built assembly records, from its metadata (the assembly is not loaded).</summary>
internal static class TwinRecords
{
    private const string AttributeName = "HybridTwinAttribute";

    public static List<TwinRecord> Read(string assemblyPath)
    {
        var twins = new List<TwinRecord>();
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        if (!pe.HasMetadata) return twins;
        MetadataReader reader = pe.GetMetadataReader();
        foreach (CustomAttributeHandle handle in reader.GetAssemblyDefinition().GetCustomAttributes())
        {
            CustomAttribute attribute = reader.GetCustomAttribute(handle);
            if (!IsTwinAttribute(reader, attribute)) continue;
            BlobReader blob = reader.GetBlobReader(attribute.Value);
            if (blob.ReadUInt16() != 1) continue; // the prolog of a custom attribute blob
            string?[] args = new string?[4];
            for (int k = 0; k < 4; k++) args[k] = blob.ReadSerializedString();
            if (Array.TrueForAll(args, a => a is not null))
                twins.Add(new TwinRecord(args[0]!, args[1]!, args[2]!, args[3]!));
        }
        return twins;
    }

    /// <summary>Whether the attribute is HybridGen.HybridTwinAttribute: referenced from HybridGen.Runtime (the
    /// usual case) or defined in the assembly itself.</summary>
    private static bool IsTwinAttribute(MetadataReader reader, CustomAttribute attribute)
    {
        switch (attribute.Constructor.Kind)
        {
            case HandleKind.MemberReference:
                EntityHandle parent = reader.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent;
                return IsTwinType(reader, parent);
            case HandleKind.MethodDefinition:
                return IsTwinType(reader, reader.GetMethodDefinition((MethodDefinitionHandle)attribute.Constructor).GetDeclaringType());
            default:
                return false;
        }
    }

    private static bool IsTwinType(MetadataReader reader, EntityHandle type)
    {
        switch (type.Kind)
        {
            case HandleKind.TypeReference:
                TypeReference reference = reader.GetTypeReference((TypeReferenceHandle)type);
                return IsTwinType(reader, reference.Namespace, reference.Name);
            case HandleKind.TypeDefinition:
                TypeDefinition definition = reader.GetTypeDefinition((TypeDefinitionHandle)type);
                return IsTwinType(reader, definition.Namespace, definition.Name);
            default:
                return false;
        }
    }

    private static bool IsTwinType(MetadataReader reader, StringHandle @namespace, StringHandle name) =>
        reader.GetString(name) == AttributeName && reader.GetString(@namespace) == "HybridGen";
}
